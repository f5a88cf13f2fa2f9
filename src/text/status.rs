//! The status bar's message, kept in both languages so that it follows a change of the UI language
//! (a message frozen in the language it was said in would stay Chinese in an English window).

use std::fmt;

use super::Lang;

/// One status message, in 简体中文 and English, shown in the current language.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatusLine {
    zh: String,
    en: String,
    lang: Lang,
}

impl StatusLine {
    /// The message `render` writes, in both languages; shown in `lang`.
    ///
    /// ```
    /// use wangge::text::{Lang, pick, status::StatusLine};
    /// let mut s = StatusLine::new(Lang::Zh, |l| format!("{}: 3", pick(l, "已保存", "Saved")));
    /// assert_eq!(s.text(), "已保存: 3");
    /// s.set_lang(Lang::En);
    /// assert_eq!(s.text(), "Saved: 3");
    /// ```
    pub fn new(lang: Lang, render: impl Fn(Lang) -> String) -> StatusLine {
        StatusLine { zh: render(Lang::Zh), en: render(Lang::En), lang }
    }

    /// Words that are the same in every language (a path, an error of the operating system).
    pub fn plain(text: impl Into<String>) -> StatusLine {
        let text = text.into();
        StatusLine { zh: text.clone(), en: text, lang: Lang::default() }
    }

    /// Shows the message in `lang` from now on.
    pub fn set_lang(&mut self, lang: Lang) {
        self.lang = lang;
    }

    /// The message in the current language.
    pub fn text(&self) -> &str {
        match self.lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

impl From<String> for StatusLine {
    fn from(text: String) -> StatusLine {
        StatusLine::plain(text)
    }
}

impl std::ops::Deref for StatusLine {
    type Target = str;
    fn deref(&self) -> &str {
        self.text()
    }
}

impl fmt::Display for StatusLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text())
    }
}
