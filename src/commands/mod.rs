//! Glue between the command line and the library, one file per subcommand that needs more than
//! a call: it resolves arguments into options, runs the work and returns a report to print.

pub mod import;
pub mod init;
pub mod update;
