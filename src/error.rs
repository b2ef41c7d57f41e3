//! Errors a rule author can cause: [`CompileError`], [`Diagnostic`], [`Location`].
//!
//! A rule author's mistakes are [`CompileError`]s: a list of [`Diagnostic`]s,
//! each with a code, a location (`file:line:column`), the offending line with
//! a caret under it and a help line. All problems found in one pass are
//! reported together.

use std::fmt;

/// What kind of problem a [`Diagnostic`] reports.
///
/// The kebab-case [`code`](DiagnosticKind::code) is stable and shown in
/// rendered errors (`error[unknown-concept]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DiagnosticKind {
    /// A file or directory could not be read.
    Io,
    /// The YAML is not well formed, or a value has the wrong type.
    Yaml,
    /// `version` is missing or not `1`.
    Version,
    /// A key that the format does not define.
    UnknownField,
    /// `@name` refers to a concept that no file defines.
    UnknownConcept,
    /// Two intents share an id.
    DuplicateIntent,
    /// An intent id or a name is not `[a-z0-9_]+`.
    InvalidName,
    /// A phrase is empty or has a syntax error (unbalanced brackets...).
    InvalidPhrase,
    /// A phrase expands into too many alternatives.
    PhraseTooLarge,
    /// A concept set (`sets:`) has no `all:`, or fewer than two parts.
    InvalidSet,
    /// A regex does not compile.
    InvalidRegex,
    /// A regex compiles to more than the size limit.
    RegexTooLarge,
    /// A value is out of range (weight, severity...).
    InvalidValue,
    /// An example does not classify to its own intent.
    ExampleFailed,
    /// A counter-example classifies to the intent it counters.
    CounterExampleFailed,
    /// A reference to something that does not exist (slot, entity,
    /// intent, normaliser, setting).
    UnknownReference,
    /// A problem in the `conversation:` section.
    Conversation,
    /// A limit on what rules may cost was exceeded (file size, YAML depth
    /// or size, phrase nesting, total expansion); see `Limits`.
    LimitExceeded,
    /// A lint: legal but probably a mistake (shared phrases, shadowed
    /// intents, unused concepts, a reply in one language only...).
    Lint,
}

impl DiagnosticKind {
    /// The stable kebab-case code (`"unknown-concept"`).
    pub fn code(self) -> &'static str {
        match self {
            DiagnosticKind::Io => "io",
            DiagnosticKind::Yaml => "yaml",
            DiagnosticKind::Version => "version",
            DiagnosticKind::UnknownField => "unknown-field",
            DiagnosticKind::UnknownConcept => "unknown-concept",
            DiagnosticKind::DuplicateIntent => "duplicate-intent",
            DiagnosticKind::InvalidName => "invalid-name",
            DiagnosticKind::InvalidPhrase => "invalid-phrase",
            DiagnosticKind::InvalidSet => "invalid-set",
            DiagnosticKind::PhraseTooLarge => "phrase-too-large",
            DiagnosticKind::InvalidRegex => "invalid-regex",
            DiagnosticKind::RegexTooLarge => "regex-too-large",
            DiagnosticKind::InvalidValue => "invalid-value",
            DiagnosticKind::ExampleFailed => "example-failed",
            DiagnosticKind::CounterExampleFailed => "counter-example-failed",
            DiagnosticKind::UnknownReference => "unknown-reference",
            DiagnosticKind::Conversation => "conversation",
            DiagnosticKind::LimitExceeded => "limit-exceeded",
            DiagnosticKind::Lint => "lint",
        }
    }
}

/// How serious a [`Diagnostic`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Legal, but probably a mistake. Does not stop compilation.
    Warning,
    /// The rules cannot be compiled.
    Error,
}

/// Where a diagnostic points: a file, a 1-based line and column, and the
/// length of the offending text in characters (for the caret).
///
/// Invariants:
/// 1. `line` and `column` are 1-based; the column counts characters.
/// 2. `len` is at least 1.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Location {
    file: String,
    line: usize,
    column: usize,
    len: usize,
    source_line: String,
    /// The caret's column in `source_line`: the column itself, unless a
    /// very long line was cut to a window around it.
    caret: usize,
}

impl Location {
    /// A location: file name, 1-based line and column (in characters), the
    /// length of the offending text (at least 1) and the whole source line.
    pub fn new(
        file: String,
        line: usize,
        column: usize,
        len: usize,
        source_line: String,
    ) -> Location {
        Location {
            file,
            line,
            column,
            len: len.max(1),
            source_line,
            caret: column,
        }
    }

    /// A location whose `source_line` is a window of the real line, with
    /// the caret at `caret` in it.
    pub(crate) fn with_window(mut self, source_line: String, caret: usize, len: usize) -> Location {
        self.source_line = source_line;
        self.caret = caret;
        self.len = len.max(1);
        self
    }
}

impl Location {
    /// The file name as given to the compiler (`rules/orders.yaml`, or the
    /// name passed with an in-memory string).
    pub fn file(&self) -> &str {
        &self.file
    }

    /// 1-based line.
    pub fn line(&self) -> usize {
        self.line
    }

    /// 1-based column, in characters.
    pub fn column(&self) -> usize {
        self.column
    }

    /// Length of the offending text in characters (at least 1, so there is
    /// no `is_empty`).
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        self.len
    }

    /// The source line, for the snippet (a window around the column when
    /// the line is very long).
    pub fn source_line(&self) -> &str {
        &self.source_line
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// One problem in a rule set.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    kind: DiagnosticKind,
    severity: Severity,
    message: String,
    location: Option<Location>,
    label: Option<String>,
    help: Option<String>,
}

impl Diagnostic {
    /// A new error diagnostic. Used by the compiler; public so tools built on
    /// firstline (linters, editors) can report in the same format.
    pub fn error(kind: DiagnosticKind, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            kind,
            severity: Severity::Error,
            message: message.into(),
            location: None,
            label: None,
            help: None,
        }
    }

    /// A new warning diagnostic (a lint).
    pub fn warning(kind: DiagnosticKind, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(kind, message)
        }
    }

    /// Sets where the problem is.
    pub fn at(mut self, location: Option<Location>) -> Diagnostic {
        self.location = location;
        self
    }

    /// Sets the short label printed under the caret.
    pub fn label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into());
        self
    }

    /// Sets the help line: what to do about it.
    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// What kind of problem this is.
    pub fn kind(&self) -> DiagnosticKind {
        self.kind
    }

    /// Error or warning.
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// The one-line message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Where it happened, when known.
    pub fn location(&self) -> Option<&Location> {
        self.location.as_ref()
    }

    /// What to do about it.
    pub fn help_text(&self) -> Option<&str> {
        self.help.as_deref()
    }

    /// The short label printed under the caret.
    pub fn label_text(&self) -> Option<&str> {
        self.label.as_deref()
    }
}

impl fmt::Display for Diagnostic {
    /// Renders the diagnostic as a caret snippet:
    ///
    /// ```text
    /// error[unknown-concept]: phrase refers to unknown concept `@oder`
    ///  --> rules/orders.yaml:14:13
    ///    |
    /// 14 |       - "@oder của em"
    ///    |          ^^^^^ not defined in this rule set
    ///    = help: define it under `concepts:` or fix the name (did you mean `@order`?)
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        writeln!(f, "{sev}[{}]: {}", self.kind.code(), self.message)?;
        if let Some(loc) = &self.location {
            let num = loc.line.to_string();
            let pad = " ".repeat(num.len());
            writeln!(f, "{pad}--> {loc}")?;
            writeln!(f, "{pad} |")?;
            writeln!(f, "{num} | {}", loc.source_line)?;
            let caret_pad = " ".repeat(loc.caret.saturating_sub(1));
            let carets = "^".repeat(loc.len.max(1));
            match &self.label {
                Some(label) => writeln!(f, "{pad} | {caret_pad}{carets} {label}")?,
                None => writeln!(f, "{pad} | {caret_pad}{carets}")?,
            }
            if let Some(help) = &self.help {
                writeln!(f, "{pad} = help: {help}")?;
            }
        } else if let Some(help) = &self.help {
            writeln!(f, "  = help: {help}")?;
        }
        Ok(())
    }
}

/// Rules that could not be compiled: every problem found, in file order.
///
/// `Display` renders all diagnostics, one caret snippet each, followed by a
/// count.
#[derive(Clone, Debug)]
pub struct CompileError {
    diagnostics: Vec<Diagnostic>,
}

impl CompileError {
    pub(crate) fn new(diagnostics: Vec<Diagnostic>) -> CompileError {
        CompileError { diagnostics }
    }

    /// Every diagnostic, errors and warnings, in the order found.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Only the errors.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.diagnostics {
            writeln!(f, "{d}")?;
        }
        let n = self.errors().count();
        write!(
            f,
            "could not compile the rules: {n} error{}",
            if n == 1 { "" } else { "s" }
        )
    }
}

impl std::error::Error for CompileError {}
