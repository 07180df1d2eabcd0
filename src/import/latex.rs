//! LaTeX in BibTeX fields to Unicode text: `{\"o}` → ö, `\&` → &, `--` → –, protective braces
//! dropped, formatting commands (`\emph{x}`) reduced to their text, math kept as `$…$` for the
//! Markdown stage (`\(…\)` becomes `$…$`, `\[…\]` becomes `$$…$$`).
//!
//! It is deliberately forgiving: an unknown command keeps its name and its arguments' text, an
//! unbalanced brace is ignored, and nothing here fails.
//!
//! It is one pass without recursion, since braces only group and are dropped: 70,000 nested `{`
//! once overflowed the stack (issue 23). A delimiter found unclosed is remembered as such, so a
//! text of a thousand `\(` is not searched to its end a thousand times.

/// Converts a field value (with its outer braces or quotes already removed).
pub fn to_unicode(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut converter = Converter {
        chars: &chars,
        pos: 0,
        out: String::with_capacity(text.len()),
        unclosed_from: [usize::MAX; 4],
    };
    converter.run();
    converter.out
}

/// Math delimiters, to index [`Converter::unclosed_from`].
#[derive(Clone, Copy)]
enum Delimiter {
    Dollar,
    DoubleDollar,
    Paren,
    Bracket,
}

struct Converter<'a> {
    chars: &'a [char],
    pos: usize,
    out: String,
    /// Per delimiter, a position from which it is known not to be closed: an opening at or after
    /// it fails at once.
    unclosed_from: [usize; 4],
}

/// The converted start of a group is read for its first letter only (an accent's base): this
/// much of it is enough, and keeps nested accents from converting a text once per level.
const GROUP_PREFIX_CHARS: usize = 32;

impl Converter<'_> {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    /// Whether an opening `delimiter` at `start` is known to have no closing one.
    fn is_unclosed(&self, delimiter: Delimiter, start: usize) -> bool {
        start >= self.unclosed_from[delimiter as usize]
    }

    fn mark_unclosed(&mut self, delimiter: Delimiter, start: usize) {
        let from = &mut self.unclosed_from[delimiter as usize];
        *from = (*from).min(start);
    }

    /// Converts to the end. Braces group and are dropped, so a group needs no state of its own.
    fn run(&mut self) {
        while let Some(c) = self.peek(0) {
            self.pos += 1;
            match c {
                '{' | '}' => {}
                '$' => self.math(),
                '\\' => self.command(),
                '~' => self.out.push(' '),
                '-' if self.peek(0) == Some('-') => {
                    if self.peek(1) == Some('-') {
                        self.pos += 2;
                        self.out.push('—');
                    } else {
                        self.pos += 1;
                        self.out.push('–');
                    }
                }
                '`' if self.peek(0) == Some('`') => {
                    self.pos += 1;
                    self.out.push('“');
                }
                '`' => self.out.push('‘'),
                '\'' if self.peek(0) == Some('\'') => {
                    self.pos += 1;
                    self.out.push('”');
                }
                c => self.out.push(c),
            }
        }
    }

    /// Copies `$…$` or `$$…$$` as it is; an unclosed `$` stays a plain dollar.
    fn math(&mut self) {
        let display = self.peek(0) == Some('$');
        let (delimiter, kind) = if display {
            ("$$", Delimiter::DoubleDollar)
        } else {
            ("$", Delimiter::Dollar)
        };
        let start = self.pos + usize::from(display);
        if self.is_unclosed(kind, start) {
            self.out.push('$');
            return;
        }
        let mut end = start;
        while end < self.chars.len() {
            let closes = self.chars[end] == '$'
                && self.chars[end - 1] != '\\'
                && (!display || self.chars.get(end + 1) == Some(&'$'));
            if closes {
                break;
            }
            end += 1;
        }
        if end >= self.chars.len() {
            self.mark_unclosed(kind, start);
            self.out.push('$');
            return;
        }
        self.out.push_str(delimiter);
        self.out.extend(&self.chars[start..end]);
        self.out.push_str(delimiter);
        self.pos = end + delimiter.len();
    }

    /// `\(…\)` and `\[…\]` to dollar math.
    fn bracket_math(&mut self, close: char, delimiter: &str) {
        let kind = if close == ')' {
            Delimiter::Paren
        } else {
            Delimiter::Bracket
        };
        let start = self.pos;
        if self.is_unclosed(kind, start) {
            return;
        }
        let mut end = start;
        while end + 1 < self.chars.len()
            && !(self.chars[end] == '\\' && self.chars[end + 1] == close)
        {
            end += 1;
        }
        if end + 1 >= self.chars.len() {
            self.mark_unclosed(kind, start);
            return;
        }
        self.out.push_str(delimiter);
        self.out.extend(&self.chars[start..end]);
        self.out.push_str(delimiter);
        self.pos = end + 2;
    }

    fn command(&mut self) {
        let Some(first) = self.peek(0) else {
            return;
        };
        self.pos += 1;
        if !first.is_ascii_alphabetic() {
            match first {
                '(' => self.bracket_math(')', "$"),
                '[' => self.bracket_math(']', "$$"),
                '\\' | ' ' | ',' | ';' | ':' | '!' | '/' => self.out.push(' '),
                '-' => {}
                c if accent_mark(c).is_some() => self.accent(c),
                c => self.out.push(c),
            }
            return;
        }
        let mut name = String::from(first);
        while let Some(c) = self.peek(0).filter(char::is_ascii_alphabetic) {
            name.push(c);
            self.pos += 1;
        }
        if name.chars().count() == 1 && accent_mark(first).is_some() && "uvHckrdb".contains(first) {
            self.accent(first);
            return;
        }
        if let Some(symbol) = symbol(&name) {
            self.out.push_str(symbol);
            // `{\ss}e` and `\ss{}` need nothing; `\o lafsson` loses its separating space in TeX.
            if self.peek(0) == Some('{') && self.peek(1) == Some('}') {
                self.pos += 2;
            }
            return;
        }
        match name.as_str() {
            "url" | "path" | "nolinkurl" => {
                if let Some(arg) = self.raw_argument() {
                    self.out.push_str(&arg);
                }
            }
            "href" => {
                self.raw_argument();
                self.skip_spaces();
                // The link text is read on as text; its braces are dropped like any others.
            }
            "cite" | "citep" | "citet" | "ref" | "label" | "noopsort" | "footnote" | "thanks"
            | "vspace" | "hspace" => {
                self.raw_argument();
            }
            "newblock" | "relax" | "protect" | "par" | "noindent" | "bgroup" | "egroup" => {
                if name == "par" {
                    self.out.push_str("\n\n");
                }
            }
            _ => {
                // Formatting and unknown commands: keep the text of the argument if there is one,
                // else the command's name (an undefined macro is more likely a word than noise).
                self.skip_spaces_before_brace();
                if self.peek(0) != Some('{') && !is_formatting(&name) {
                    self.out.push_str(&name);
                }
            }
        }
    }

    fn skip_spaces(&mut self) {
        while self.peek(0).is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn skip_spaces_before_brace(&mut self) {
        let mut ahead = 0;
        while self.peek(ahead).is_some_and(char::is_whitespace) {
            ahead += 1;
        }
        if self.peek(ahead) == Some('{') {
            self.pos += ahead;
        }
    }

    /// A `{…}` argument as raw text (for URLs), or None when there is none.
    fn raw_argument(&mut self) -> Option<String> {
        self.skip_spaces_before_brace();
        if self.peek(0) != Some('{') {
            return None;
        }
        let mut depth = 0;
        let mut text = String::new();
        while let Some(c) = self.peek(0) {
            self.pos += 1;
            match c {
                '{' => {
                    depth += 1;
                    if depth == 1 {
                        continue;
                    }
                }
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            text.push(c);
        }
        Some(text)
    }

    /// An accent and its argument: `\"o`, `\"{o}`, `{\"o}`, `\'{\i}`, `\c c`, `\v{c}`.
    fn accent(&mut self, accent: char) {
        if accent.is_ascii_alphabetic() {
            self.skip_spaces();
        }
        let base = match self.peek(0) {
            Some('{') => {
                self.pos += 1;
                let inner = self.group_text();
                inner.chars().next()
            }
            Some('\\') if matches!(self.peek(1), Some('i' | 'j')) => {
                self.pos += 2;
                self.chars.get(self.pos - 1).copied()
            }
            Some(c) => {
                self.pos += 1;
                Some(c)
            }
            None => None,
        };
        let Some(base) = base else {
            return;
        };
        self.out.push_str(&compose(accent, base));
    }

    /// The start of a group whose `{` was just read, converted: enough for its first letter, an
    /// accent's base. `\i` stands for i.
    fn group_text(&mut self) -> String {
        let start = self.pos;
        let mut depth = 1;
        let mut end = start;
        while end < self.chars.len() {
            match self.chars[end] {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            end += 1;
        }
        let inner = &self.chars[start..end.min(self.chars.len())];
        self.pos = (end + 1).min(self.chars.len());
        let inner: String = inner.iter().take(GROUP_PREFIX_CHARS).collect();
        let inner = inner.trim();
        match inner {
            "\\i" => "i".into(),
            "\\j" => "j".into(),
            _ => to_unicode(inner),
        }
    }
}

fn is_formatting(name: &str) -> bool {
    matches!(
        name,
        "emph"
            | "textit"
            | "textbf"
            | "textsc"
            | "texttt"
            | "textrm"
            | "textsf"
            | "textup"
            | "textnormal"
            | "textmd"
            | "textsl"
            | "mbox"
            | "text"
            | "mathrm"
            | "mathit"
            | "mathbf"
            | "it"
            | "bf"
            | "sc"
            | "tt"
            | "rm"
            | "sf"
            | "em"
            | "sl"
            | "small"
            | "large"
            | "Large"
            | "normalsize"
            | "footnotesize"
            | "scriptsize"
            | "tiny"
            | "huge"
            | "Huge"
            | "MakeUppercase"
            | "MakeLowercase"
            | "uppercase"
            | "lowercase"
            | "textsuperscript"
            | "textsubscript"
            | "ensuremath"
            | "hbox"
            | "fbox"
            | "boldsymbol"
            | "bm"
    )
}

fn accent_mark(accent: char) -> Option<char> {
    ACCENTS
        .iter()
        .find(|(a, _, _)| *a == accent)
        .map(|(_, mark, _)| *mark)
}

/// The precomposed letter for an accent and base, else the base and a combining mark.
fn compose(accent: char, base: char) -> String {
    let base = match base {
        'ı' => 'i',
        'ȷ' => 'j',
        c => c,
    };
    let Some((_, mark, pairs)) = ACCENTS.iter().find(|(a, _, _)| *a == accent) else {
        return base.to_string();
    };
    let mut chars = pairs.chars();
    while let (Some(plain), Some(composed)) = (chars.next(), chars.next()) {
        if plain == base {
            return composed.to_string();
        }
    }
    format!("{base}{mark}")
}

/// Commands that stand for one character or a word.
fn symbol(name: &str) -> Option<&'static str> {
    Some(match name {
        "ss" => "ß",
        "o" => "ø",
        "O" => "Ø",
        "ae" => "æ",
        "AE" => "Æ",
        "oe" => "œ",
        "OE" => "Œ",
        "aa" => "å",
        "AA" => "Å",
        "l" => "ł",
        "L" => "Ł",
        "i" => "ı",
        "j" => "ȷ",
        "dh" => "ð",
        "DH" => "Ð",
        "th" => "þ",
        "TH" => "Þ",
        "ng" => "ŋ",
        "NG" => "Ŋ",
        "dj" => "đ",
        "DJ" => "Đ",
        "ldots" | "dots" | "textellipsis" => "…",
        "textendash" => "–",
        "textemdash" => "—",
        "textquoteleft" => "‘",
        "textquoteright" => "’",
        "textquotedblleft" => "“",
        "textquotedblright" => "”",
        "guillemotleft" | "guillemetleft" => "«",
        "guillemotright" | "guillemetright" => "»",
        "S" => "§",
        "P" => "¶",
        "copyright" | "textcopyright" => "©",
        "textregistered" => "®",
        "texttrademark" => "™",
        "pounds" | "textsterling" => "£",
        "euro" | "texteuro" => "€",
        "textdegree" => "°",
        "textbackslash" => "\\",
        "textasciitilde" => "~",
        "textasciicircum" => "^",
        "textunderscore" => "_",
        "textbar" => "|",
        "textless" => "<",
        "textgreater" => ">",
        "textbullet" => "•",
        "textperiodcentered" => "·",
        "times" => "×",
        "pm" => "±",
        "LaTeX" => "LaTeX",
        "LaTeXe" => "LaTeX2ε",
        "TeX" => "TeX",
        "BibTeX" => "BibTeX",
        "alpha" => "α",
        "beta" => "β",
        "gamma" => "γ",
        "delta" => "δ",
        "epsilon" | "varepsilon" => "ε",
        "zeta" => "ζ",
        "eta" => "η",
        "theta" => "θ",
        "kappa" => "κ",
        "lambda" => "λ",
        "mu" => "μ",
        "nu" => "ν",
        "xi" => "ξ",
        "pi" => "π",
        "rho" => "ρ",
        "sigma" => "σ",
        "tau" => "τ",
        "phi" | "varphi" => "φ",
        "chi" => "χ",
        "psi" => "ψ",
        "omega" => "ω",
        "Gamma" => "Γ",
        "Delta" => "Δ",
        "Theta" => "Θ",
        "Lambda" => "Λ",
        "Pi" => "Π",
        "Sigma" => "Σ",
        "Phi" => "Φ",
        "Psi" => "Ψ",
        "Omega" => "Ω",
        _ => return None,
    })
}

/// Per accent command: its combining mark, and pairs of base letter and composed letter.
const ACCENTS: &[(char, char, &str)] = &[
    (
        '\'',
        '\u{0301}',
        "AÁCĆEÉGǴIÍKḰLĹMḾNŃOÓPṔRŔSŚUÚWẂYÝZŹaácćeégǵiíkḱlĺmḿnńoópṕrŕsśuúwẃyýzź",
    ),
    ('`', '\u{0300}', "AÀEÈIÌNǸOÒUÙWẀYỲaàeèiìnǹoòuùwẁyỳ"),
    (
        '^',
        '\u{0302}',
        "AÂCĈEÊGĜHĤIÎJĴOÔSŜUÛWŴYŶZẐaâcĉeêgĝhĥiîjĵoôsŝuûwŵyŷzẑ",
    ),
    ('"', '\u{0308}', "AÄEËHḦIÏOÖUÜWẄXẌYŸaäeëhḧiïoötẗuüwẅxẍyÿ"),
    ('~', '\u{0303}', "AÃEẼIĨNÑOÕUŨVṼYỸaãeẽiĩnñoõuũvṽyỹ"),
    ('=', '\u{0304}', "AĀEĒGḠIĪOŌUŪYȲaāeēgḡiīoōuūyȳ"),
    (
        '.',
        '\u{0307}',
        "AȦBḂCĊDḊEĖFḞGĠHḢIİMṀNṄOȮPṖRṘSṠTṪWẆXẊYẎZŻaȧbḃcċdḋeėfḟgġhḣmṁnṅoȯpṗrṙsṡtṫwẇxẋyẏzż",
    ),
    ('u', '\u{0306}', "AĂEĔGĞIĬOŎUŬaăeĕgğiĭoŏuŭ"),
    (
        'v',
        '\u{030c}',
        "AǍCČDĎEĚGǦHȞIǏKǨLĽNŇOǑRŘSŠTŤUǓZŽaǎcčdďeěgǧhȟiǐjǰkǩlľnňoǒrřsštťuǔzž",
    ),
    ('H', '\u{030b}', "OŐUŰoőuű"),
    (
        'c',
        '\u{0327}',
        "CÇDḐEȨGĢHḨKĶLĻNŅRŖSŞTŢcçdḑeȩgģhḩkķlļnņrŗsştţ",
    ),
    ('k', '\u{0328}', "AĄEĘIĮOǪUŲaąeęiįoǫuų"),
    ('r', '\u{030a}', "AÅUŮaåuůwẘyẙ"),
    (
        'd',
        '\u{0323}',
        "AẠBḄDḌEẸHḤIỊKḲLḶMṂNṆOỌRṚSṢTṬUỤVṾWẈYỴZẒaạbḅdḍeẹhḥiịkḳlḷmṃnṇoọrṛsṣtṭuụvṿwẉyỵzẓ",
    ),
    ('b', '\u{0331}', "BḆDḎKḴLḺNṈRṞTṮZẔbḇdḏhẖkḵlḻnṉrṟtṯzẕ"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_in_every_spelling() {
        assert_eq!(to_unicode(r#"{\"o}"#), "ö");
        assert_eq!(to_unicode(r#"G\"{o}del"#), "Gödel");
        assert_eq!(to_unicode(r"Erd\H{o}s"), "Erdős");
        assert_eq!(to_unicode(r"{\'E}mile"), "Émile");
        assert_eq!(to_unicode(r"Ca\~{n}ete"), "Cañete");
        assert_eq!(to_unicode(r"\c c\v{c}"), "çč");
        assert_eq!(to_unicode(r"{\'\i}"), "í");
        assert_eq!(to_unicode(r"\'{\i}"), "í");
        assert_eq!(to_unicode(r"\v{\j}"), "ǰ");
        assert_eq!(to_unicode(r"{\ss}e \o{} {\L}\'od\'z"), "ße ø Łódź");
    }

    #[test]
    fn symbols_dashes_and_quotes() {
        assert_eq!(to_unicode(r"R\&D at 10\% -- 20\%"), "R&D at 10% – 20%");
        assert_eq!(to_unicode(r"``quoted'' --- yes"), "“quoted” — yes");
        assert_eq!(to_unicode(r"\LaTeX{} rocks"), "LaTeX rocks");
        assert_eq!(to_unicode(r"a~b"), "a b");
    }

    #[test]
    fn math_is_kept_and_braces_dropped() {
        assert_eq!(
            to_unicode(r"{BERT}: $\mathcal{O}(n^{2})$ and \(x_i\) or \[y\]"),
            r"BERT: $\mathcal{O}(n^{2})$ and $x_i$ or $$y$$"
        );
        assert_eq!(to_unicode(r"costs \$5 and {\$}10"), "costs $5 and $10");
        assert_eq!(to_unicode("unclosed $ dollar"), "unclosed $ dollar");
    }

    #[test]
    fn commands_reduce_to_their_text() {
        assert_eq!(to_unicode(r"\emph{Deep} \textbf{{N}ets}"), "Deep Nets");
        assert_eq!(
            to_unicode(r"see \url{https://x.org/a_b}"),
            "see https://x.org/a_b"
        );
        assert_eq!(to_unicode(r"\href{https://x}{the site}"), "the site");
        assert_eq!(to_unicode(r"\noopsort{a}Zed"), "Zed");
        assert_eq!(
            to_unicode(r"\unknownmacro and }stray{ braces"),
            "unknownmacro and stray braces"
        );
    }

    // Issue 23: 70,000 nested `{` overflowed the stack.
    #[test]
    fn deep_nesting_needs_no_stack() {
        let depth = 100_000;
        let text = format!("{}x{}", "{".repeat(depth), "}".repeat(depth));
        assert_eq!(to_unicode(&text), "x");
        let accents = |depth| format!("{}o{}", r#"\"{"#.repeat(depth), "}".repeat(depth));
        assert_eq!(to_unicode(&accents(2)), "ö\u{308}");
        // Past a few levels the base letter is too deep to be read: nothing is made of it.
        assert_eq!(to_unicode(&accents(depth)), "");
        let commands = format!("{}y{}", r"\emph{".repeat(depth), "}".repeat(depth));
        assert_eq!(to_unicode(&commands), "y");
    }

    #[test]
    fn unclosed_delimiters_stay_text() {
        assert_eq!(to_unicode(r"\(a \(b \) c"), "$a \\(b $ c");
        assert_eq!(to_unicode(r"\(a \(b"), "a b");
        assert_eq!(to_unicode("$$a $$ b $$ c"), "$$a $$ b $$ c");
        let many = r"\( \[ ".repeat(10_000);
        assert_eq!(to_unicode(&many), "  ".repeat(10_000));
    }
}
