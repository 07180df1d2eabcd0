//! TeX math as text a reader can read, for places that cannot show MathML: search records and
//! snippets, `<title>`, meta tags, JSON-LD.
//!
//! Not a TeX parser: a small table of common commands (Greek letters, operators, relations,
//! arrows, accents, fonts) and a few rules. `\sigma` is `σ`, `\sqrt{T}` is `√T`, `\frac{a}{b}` is
//! `a/b`, `x^2` is `x²`; a subscript stays `x_t` (issue 21 asks for that spelling, and Unicode has
//! subscripts for few letters). A command not in the table loses its backslash (`\softmax` reads
//! `softmax`), so no raw command is ever shown. Braces only group. Input is never trusted: any
//! text gives some text, nesting deeper than [`MAX_DEPTH`] is read flat, and nothing panics.

/// Groups nested deeper than this are read as flat text, so a hostile formula cannot overflow
/// the stack.
const MAX_DEPTH: usize = 32;

/// Commands that stand for one symbol.
const SYMBOLS: &[(&str, &str)] = &[
    ("alpha", "α"),
    ("beta", "β"),
    ("gamma", "γ"),
    ("delta", "δ"),
    ("epsilon", "ϵ"),
    ("varepsilon", "ε"),
    ("zeta", "ζ"),
    ("eta", "η"),
    ("theta", "θ"),
    ("vartheta", "ϑ"),
    ("iota", "ι"),
    ("kappa", "κ"),
    ("lambda", "λ"),
    ("mu", "μ"),
    ("nu", "ν"),
    ("xi", "ξ"),
    ("pi", "π"),
    ("varpi", "ϖ"),
    ("rho", "ρ"),
    ("varrho", "ϱ"),
    ("sigma", "σ"),
    ("varsigma", "ς"),
    ("tau", "τ"),
    ("upsilon", "υ"),
    ("phi", "ϕ"),
    ("varphi", "φ"),
    ("chi", "χ"),
    ("psi", "ψ"),
    ("omega", "ω"),
    ("Gamma", "Γ"),
    ("Delta", "Δ"),
    ("Theta", "Θ"),
    ("Lambda", "Λ"),
    ("Xi", "Ξ"),
    ("Pi", "Π"),
    ("Sigma", "Σ"),
    ("Upsilon", "Υ"),
    ("Phi", "Φ"),
    ("Psi", "Ψ"),
    ("Omega", "Ω"),
    ("ell", "ℓ"),
    ("hbar", "ℏ"),
    ("infty", "∞"),
    ("partial", "∂"),
    ("nabla", "∇"),
    ("emptyset", "∅"),
    ("varnothing", "∅"),
    ("forall", "∀"),
    ("exists", "∃"),
    ("neg", "¬"),
    ("lnot", "¬"),
    ("top", "⊤"),
    ("bot", "⊥"),
    ("prime", "′"),
    ("dots", "…"),
    ("ldots", "…"),
    ("cdots", "⋯"),
    ("vdots", "⋮"),
    ("ddots", "⋱"),
    ("sum", "∑"),
    ("prod", "∏"),
    ("int", "∫"),
    ("oint", "∮"),
    ("langle", "⟨"),
    ("rangle", "⟩"),
    ("lceil", "⌈"),
    ("rceil", "⌉"),
    ("lfloor", "⌊"),
    ("rfloor", "⌋"),
    ("lvert", "|"),
    ("rvert", "|"),
    ("vert", "|"),
    ("lVert", "‖"),
    ("rVert", "‖"),
    ("Vert", "‖"),
    ("|", "‖"),
    ("{", "{"),
    ("}", "}"),
    ("%", "%"),
    ("$", "$"),
    ("&", "&"),
    ("#", "#"),
    ("_", "_"),
    ("backslash", "\\"),
];

/// Operators and relations: written with a space on each side.
const OPERATORS: &[(&str, &str)] = &[
    ("cdot", "·"),
    ("times", "×"),
    ("div", "÷"),
    ("pm", "±"),
    ("mp", "∓"),
    ("ast", "∗"),
    ("star", "⋆"),
    ("circ", "∘"),
    ("bullet", "∙"),
    ("oplus", "⊕"),
    ("otimes", "⊗"),
    ("odot", "⊙"),
    ("cup", "∪"),
    ("cap", "∩"),
    ("setminus", "∖"),
    ("wedge", "∧"),
    ("land", "∧"),
    ("vee", "∨"),
    ("lor", "∨"),
    ("mid", "∣"),
    ("parallel", "∥"),
    ("leq", "≤"),
    ("le", "≤"),
    ("geq", "≥"),
    ("ge", "≥"),
    ("neq", "≠"),
    ("ne", "≠"),
    ("ll", "≪"),
    ("gg", "≫"),
    ("approx", "≈"),
    ("sim", "∼"),
    ("simeq", "≃"),
    ("cong", "≅"),
    ("equiv", "≡"),
    ("propto", "∝"),
    ("in", "∈"),
    ("notin", "∉"),
    ("ni", "∋"),
    ("subset", "⊂"),
    ("subseteq", "⊆"),
    ("supset", "⊃"),
    ("supseteq", "⊇"),
    ("to", "→"),
    ("rightarrow", "→"),
    ("leftarrow", "←"),
    ("gets", "←"),
    ("leftrightarrow", "↔"),
    ("Rightarrow", "⇒"),
    ("Leftarrow", "⇐"),
    ("Leftrightarrow", "⇔"),
    ("implies", "⟹"),
    ("iff", "⟺"),
    ("mapsto", "↦"),
    ("longrightarrow", "⟶"),
    ("perp", "⊥"),
    ("coloneqq", "≔"),
    ("triangleq", "≜"),
];

/// Accents, as a combining mark after the letter.
const ACCENTS: &[(&str, char)] = &[
    ("hat", '\u{302}'),
    ("widehat", '\u{302}'),
    ("bar", '\u{304}'),
    ("overline", '\u{305}'),
    ("tilde", '\u{303}'),
    ("widetilde", '\u{303}'),
    ("vec", '\u{20d7}'),
    ("dot", '\u{307}'),
    ("ddot", '\u{308}'),
    ("acute", '\u{301}'),
    ("grave", '\u{300}'),
    ("breve", '\u{306}'),
    ("check", '\u{30c}'),
];

/// Commands whose argument is shown as it is: fonts, text, and marks with no plain spelling.
const SHOWS_ARGUMENT: &[&str] = &[
    "text",
    "textrm",
    "textit",
    "textbf",
    "texttt",
    "textsf",
    "mathrm",
    "mathit",
    "mathbf",
    "mathsf",
    "mathtt",
    "mathcal",
    "mathscr",
    "mathfrak",
    "boldsymbol",
    "bm",
    "operatorname",
    "mbox",
    "underline",
    "underbrace",
    "overbrace",
    "displaystyle",
    "textstyle",
];

/// Commands that are only spacing or sizing, read as a space or as nothing.
const SPACES: &[&str] = &[
    ",",
    ";",
    ":",
    "!",
    " ",
    "quad",
    "qquad",
    "enspace",
    "thinspace",
];
const NOTHING: &[&str] = &[
    "left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl",
    "biggr", "middle", "limits", "nolimits",
];

/// `\mathbb{R}` and friends with a letter of their own.
const BLACKBOARD: &[(char, char)] = &[
    ('R', 'ℝ'),
    ('N', 'ℕ'),
    ('Z', 'ℤ'),
    ('Q', 'ℚ'),
    ('C', 'ℂ'),
    ('E', '𝔼'),
    ('P', 'ℙ'),
    ('1', '𝟙'),
];

/// Superscripts Unicode has for every character of `2`, `-1`, `n`, `T`…
const SUPERSCRIPTS: &[(char, char)] = &[
    ('0', '⁰'),
    ('1', '¹'),
    ('2', '²'),
    ('3', '³'),
    ('4', '⁴'),
    ('5', '⁵'),
    ('6', '⁶'),
    ('7', '⁷'),
    ('8', '⁸'),
    ('9', '⁹'),
    ('+', '⁺'),
    ('-', '⁻'),
    ('−', '⁻'),
    ('=', '⁼'),
    ('(', '⁽'),
    (')', '⁾'),
    ('n', 'ⁿ'),
    ('i', 'ⁱ'),
    ('T', 'ᵀ'),
    ('k', 'ᵏ'),
    ('d', 'ᵈ'),
    ('′', '′'),
];

/// `tex` (without its `$` delimiters) as readable text.
pub fn tex_to_text(tex: &str) -> String {
    let mut reader = Reader {
        chars: tex.chars().collect(),
        at: 0,
    };
    let out = reader.sequence(0, None);
    fold_spaces(&out)
}

struct Reader {
    chars: Vec<char>,
    at: usize,
}

impl Reader {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    /// Reads until the end, or until the `}` that closes the group when `until` is that.
    fn sequence(&mut self, depth: usize, until: Option<char>) -> String {
        let mut out = String::new();
        while let Some(c) = self.peek() {
            if Some(c) == until {
                self.at += 1;
                return out;
            }
            self.at += 1;
            match c {
                '\\' => out.push_str(&self.command(depth)),
                '{' if depth < MAX_DEPTH => out.push_str(&self.sequence(depth + 1, Some('}'))),
                '{' | '}' => {}
                '^' => out.push_str(&superscript(&self.argument(depth))),
                '_' => {
                    let sub = self.argument(depth);
                    out.push('_');
                    out.push_str(&parenthesised(&sub));
                }
                '~' => out.push(' '),
                '&' => out.push(' '),
                '\'' => out.push('′'),
                '=' | '<' | '>' => {
                    out.push(' ');
                    out.push(c);
                    out.push(' ');
                }
                c => out.push(c),
            }
        }
        out
    }

    /// One argument: a group, a command, or one character; empty at the end.
    fn argument(&mut self, depth: usize) -> String {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
        match self.peek() {
            None => String::new(),
            Some('{') => {
                self.at += 1;
                if depth < MAX_DEPTH {
                    self.sequence(depth + 1, Some('}'))
                } else {
                    String::new()
                }
            }
            Some('\\') => {
                self.at += 1;
                self.command(depth)
            }
            Some(c) => {
                self.at += 1;
                c.to_string()
            }
        }
    }

    /// An optional `[…]` argument, as `\sqrt[3]{x}` has.
    fn optional_argument(&mut self, depth: usize) -> Option<String> {
        if self.peek() != Some('[') {
            return None;
        }
        self.at += 1;
        let mut inner = String::new();
        while let Some(c) = self.peek() {
            self.at += 1;
            match c {
                ']' => break,
                '\\' => inner.push_str(&self.command(depth)),
                '{' | '}' => {}
                c => inner.push(c),
            }
        }
        Some(inner)
    }

    /// The command after a backslash (already read), as text.
    fn command(&mut self, depth: usize) -> String {
        let name = self.command_name();
        let depth = depth + 1;
        if let Some((_, symbol)) = SYMBOLS.iter().find(|(n, _)| *n == name) {
            return (*symbol).to_string();
        }
        if let Some((_, symbol)) = OPERATORS.iter().find(|(n, _)| *n == name) {
            return format!(" {symbol} ");
        }
        if depth > MAX_DEPTH {
            // Too deep to read arguments: the rest reads flat, command names as words.
            return name;
        }
        if let Some((_, mark)) = ACCENTS.iter().find(|(n, _)| *n == name) {
            let mut base = self.argument(depth);
            if base.chars().count() == 1 {
                base.push(*mark);
                return base;
            }
            return base;
        }
        if SPACES.contains(&name.as_str()) || name == "\\" {
            return " ".into();
        }
        if NOTHING.contains(&name.as_str()) {
            return String::new();
        }
        if SHOWS_ARGUMENT.contains(&name.as_str()) {
            return self.argument(depth);
        }
        match name.as_str() {
            "mathbb" | "mathbbm" => {
                let letters = self.argument(depth);
                return letters
                    .chars()
                    .map(|c| BLACKBOARD.iter().find(|(l, _)| *l == c).map_or(c, |b| b.1))
                    .collect();
            }
            "sqrt" => {
                let index = self.optional_argument(depth);
                let radicand = parenthesised(&self.argument(depth));
                return match index {
                    Some(index) if !index.trim().is_empty() => {
                        format!("{}√{radicand}", superscript(&index))
                    }
                    _ => format!("√{radicand}"),
                };
            }
            "frac" | "dfrac" | "tfrac" | "cfrac" => {
                let numerator = self.argument(depth);
                let denominator = self.argument(depth);
                return format!(
                    "{}/{}",
                    parenthesised(&numerator),
                    parenthesised(&denominator)
                );
            }
            "binom" => {
                let n = self.argument(depth);
                let k = self.argument(depth);
                return format!("C({}, {})", n.trim(), k.trim());
            }
            "begin" | "end" => {
                // The environment's name is no text; its cells read in order.
                self.argument(depth);
                return " ".into();
            }
            _ => {}
        }
        // Unknown: the name without its backslash, so `\softmax` still reads as a word.
        name
    }

    /// The name after a backslash: letters, or one other character; empty at the end.
    fn command_name(&mut self) -> String {
        let start = self.at;
        while self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
            self.at += 1;
        }
        if self.at == start {
            return match self.peek() {
                Some(c) => {
                    self.at += 1;
                    c.to_string()
                }
                None => String::new(),
            };
        }
        self.chars[start..self.at].iter().collect()
    }
}

/// `text` as a superscript: Unicode superscripts when every character has one, else `^(text)`.
fn superscript(text: &str) -> String {
    let text = text.trim();
    let mapped: Option<String> = text
        .chars()
        .map(|c| SUPERSCRIPTS.iter().find(|(s, _)| *s == c).map(|s| s.1))
        .collect();
    match mapped {
        Some(mapped) if !mapped.is_empty() => mapped,
        _ if text.is_empty() => String::new(),
        _ => format!("^{}", parenthesised(text)),
    }
}

/// `text` as is when it is one symbol or a name (`T`, `m_t`, `x̂`), else in parentheses:
/// `√T`, `√(x+1)`.
fn parenthesised(text: &str) -> String {
    let text = text.trim();
    let is_name = |c: char| {
        c.is_alphanumeric() || c == '_' || unicode_normalization::char::is_combining_mark(c)
    };
    if text.chars().count() <= 1 || text.chars().all(is_name) {
        text.to_string()
    } else {
        format!("({text})")
    }
}

/// Runs of whitespace as one space, none at either end, none inside brackets' edges.
fn fold_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        let glued = out.ends_with(['(', '[']) || word.starts_with([')', ']', ',']);
        if !out.is_empty() && !glued {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greek_letters_operators_and_scripts_read_as_text() {
        for (tex, text) in [
            (r"\sigma", "σ"),
            ("x_t", "x_t"),
            (r"q(x_t \mid x_0)", "q(x_t ∣ x_0)"),
            (r"O(\sqrt{T})", "O(√T)"),
            (r"\sqrt{d_k}", "√d_k"),
            (r"\frac{m_t}{1-\beta_1^t}", "m_t/(1-β_1^t)"),
            (r"\sqrt[3]{x}", "³√x"),
            ("x^2", "x²"),
            ("W^{-1}", "W⁻¹"),
            ("e^{x+y}", "e^(x+y)"),
            (r"\frac{1}{2}", "1/2"),
            (r"\frac{a+b}{c}", "(a+b)/c"),
            (
                r"\mathrm{softmax}(QK^\top/\sqrt{d_k})",
                "softmax(QK^⊤/√d_k)",
            ),
            (r"\hat{x}", "x\u{302}"),
            (r"\bar x", "x\u{304}"),
            (r"\mathbb{R}^d", "ℝᵈ"),
            (r"\beta", "β"),
            (r"a \leq b", "a ≤ b"),
            (r"\|x\|_2", "‖x‖_2"),
            (r"x_{t-1}", "x_(t-1)"),
            (r"\operatorname{KL}(p \,\|\, q)", "KL(p ‖ q)"),
            (r"\left( x \right)", "(x)"),
            (r"10\%", "10%"),
        ] {
            assert_eq!(tex_to_text(tex), text, "{tex}");
        }
    }

    #[test]
    fn unknown_commands_lose_their_backslash() {
        assert_eq!(tex_to_text(r"\foo{x} + \bar"), "foox +");
        assert_eq!(tex_to_text(r"\newthing"), "newthing");
        assert!(!tex_to_text(r"\weird\cmd\\\alpha").contains('\\'));
    }

    #[test]
    fn broken_or_hostile_tex_gives_text_without_panicking() {
        for tex in [
            "",
            "\\",
            "{",
            "}",
            "^",
            "_",
            r"\frac",
            r"\sqrt[",
            r"\sqrt[3",
            "x^{",
            "{{{{",
            &"{".repeat(10_000),
            &r"\frac{".repeat(5_000),
            &r"\sqrt".repeat(5_000),
            "é\\ü{ß}^ñ_😀",
        ] {
            let text = tex_to_text(tex);
            assert!(!text.contains("\\\\"), "{tex}: {text}");
        }
        let mut next = crate::test_rng(7);
        let pieces = [
            "\\", "{", "}", "^", "_", "[", "]", "x", "frac", "sqrt", "hat", " ", "é", "&", "~",
        ];
        for _ in 0..2000 {
            let tex: String = (0..next(20)).map(|_| pieces[next(pieces.len())]).collect();
            tex_to_text(&tex);
        }
    }
}
