//! The one name of a database project: `postgres://USER@HOST:PORT/DB?schema=NAME` (or `postgresql://`),
//! parsed into a [`DbUrl`]. The password is never in it: it comes from `PGPASSWORD` or the password file
//! (`PGPASSFILE`, else `~/.pgpass`), looked up as libpq does, and is neither shown nor written anywhere.

use std::path::{Path, PathBuf};

/// What is wrong with a database project URL.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UrlProblem {
    #[error("it must start with postgres:// or postgresql://")]
    Scheme,
    #[error("it names no user (postgres://USER@HOST:PORT/DB?schema=NAME)")]
    NoUser,
    #[error("it holds a password; give the password in PGPASSWORD or ~/.pgpass instead, never in the URL")]
    PasswordInUrl,
    #[error("it names no host (postgres://USER@HOST:PORT/DB?schema=NAME)")]
    NoHost,
    #[error("port {0:?} is not a number from 1 to 65535")]
    BadPort(String),
    #[error("it names no database (postgres://USER@HOST:PORT/DB?schema=NAME)")]
    NoDatabase,
    #[error("it names no schema: add ?schema=NAME")]
    NoSchema,
    #[error(
        "schema {0:?} is not a plain name: use lower-case letters, digits and _ (up to 63, not starting with a digit)"
    )]
    BadSchema(String),
    #[error("unknown parameter {0:?}: only schema=NAME is understood")]
    UnknownParameter(String),
    #[error("{0:?} is not valid percent-encoding")]
    BadEncoding(String),
}

/// A database project's address. Its `Display` is the URL without any secret (there is none in it).
#[derive(Clone, PartialEq, Eq)]
pub struct DbUrl {
    pub user: String,
    pub host: String,
    pub port: u16,
    pub database: String,
    /// A plain lower-case identifier, safe to write into SQL unquoted (checked on parsing).
    pub schema: String,
}

impl std::fmt::Debug for DbUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DbUrl({self})")
    }
}

impl std::fmt::Display for DbUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let host = if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() };
        write!(f, "postgres://{}@{host}:{}/{}?schema={}", self.user, self.port, self.database, self.schema)
    }
}

/// Whether `text` is meant as a database project (it has the scheme), right or wrong otherwise.
pub fn is_db_url(text: &str) -> bool {
    let lower = text.get(..13).unwrap_or(text).to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}

/// `text` with the password of a `user:password@` part masked: how a URL that cannot be parsed is named.
pub fn redacted(text: &str) -> String {
    let Some(scheme_end) = text.find("://").map(|i| i + 3) else { return text.to_string() };
    let authority_end = text[scheme_end..].find(['/', '?']).map_or(text.len(), |i| scheme_end + i);
    match text[scheme_end..authority_end].rfind('@').map(|i| scheme_end + i) {
        Some(at) => match text[scheme_end..at].find(':').map(|i| scheme_end + i) {
            Some(colon) => format!("{}:***{}", &text[..colon], &text[at..]),
            None => text.to_string(),
        },
        None => text.to_string(),
    }
}

/// [`is_db_url`] of a command-line path.
pub fn is_db_path(path: &Path) -> bool {
    path.to_str().is_some_and(is_db_url)
}

impl DbUrl {
    pub fn parse(text: &str) -> Result<DbUrl, UrlProblem> {
        let rest = ["postgres://", "postgresql://"]
            .iter()
            .find_map(|scheme| {
                let head = text.get(..scheme.len())?;
                head.eq_ignore_ascii_case(scheme).then(|| &text[scheme.len()..])
            })
            .ok_or(UrlProblem::Scheme)?;
        let (address, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (authority, database) = address.split_once('/').unwrap_or((address, ""));
        let (userinfo, hostport) = authority.rsplit_once('@').ok_or(UrlProblem::NoUser)?;
        if userinfo.contains(':') {
            return Err(UrlProblem::PasswordInUrl);
        }
        let user = decode(userinfo)?;
        if user.is_empty() {
            return Err(UrlProblem::NoUser);
        }
        let (host, port) = split_host_port(hostport)?;
        let database = decode(database.trim_end_matches('/'))?;
        if database.is_empty() || database.contains('/') {
            return Err(UrlProblem::NoDatabase);
        }
        let mut schema = None;
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some(("schema", value)) => schema = Some(decode(value)?),
                _ => return Err(UrlProblem::UnknownParameter(pair.to_string())),
            }
        }
        let schema = schema.filter(|s| !s.is_empty()).ok_or(UrlProblem::NoSchema)?;
        if !is_plain_identifier(&schema) {
            return Err(UrlProblem::BadSchema(schema));
        }
        Ok(DbUrl { user, host, port, database, schema })
    }

    /// The password for this address: `PGPASSWORD`, else the first matching line of the password file.
    pub fn password(&self) -> Option<String> {
        if let Some(p) = std::env::var_os("PGPASSWORD").and_then(|p| p.into_string().ok()) {
            return Some(p);
        }
        let file = pgpass_file()?;
        let text = read_private(&file)?;
        pgpass_lookup(&text, self)
    }
}

fn split_host_port(hostport: &str) -> Result<(String, u16), UrlProblem> {
    let (host, port) = if let Some(inner) = hostport.strip_prefix('[') {
        // An IPv6 address: [::1]:5432
        let (host, after) = inner.split_once(']').ok_or(UrlProblem::NoHost)?;
        (host.to_string(), after.strip_prefix(':'))
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (decode(h)?, Some(p)),
            None => (decode(hostport)?, None),
        }
    };
    if host.is_empty() {
        return Err(UrlProblem::NoHost);
    }
    let port = match port {
        None => 5432,
        Some(p) => p.parse::<u16>().ok().filter(|&n| n > 0).ok_or_else(|| UrlProblem::BadPort(p.to_string()))?,
    };
    Ok((host, port))
}

/// Lower-case letters, digits and `_`, not starting with a digit, 1–63 bytes: needs no quoting in SQL.
pub fn is_plain_identifier(name: &str) -> bool {
    let first_ok = name.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_');
    first_ok
        && name.len() <= 63
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.starts_with("pg_")
}

fn decode(text: &str) -> Result<String, UrlProblem> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok());
            out.push(hex.ok_or_else(|| UrlProblem::BadEncoding(text.to_string()))?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| UrlProblem::BadEncoding(text.to_string()))
}

fn pgpass_file() -> Option<PathBuf> {
    if let Some(file) = std::env::var_os("PGPASSFILE") {
        return Some(PathBuf::from(file));
    }
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".pgpass"))
}

/// The file's text, unless others may read it (libpq ignores such a file, and so do we).
fn read_private(file: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(file).ok()?.permissions().mode();
        if mode & 0o077 != 0 {
            return None;
        }
    }
    std::fs::read_to_string(file).ok()
}

/// The password of the first line `host:port:database:user:password` that matches (`*` matches
/// anything; `\:` and `\\` are a colon and a backslash inside a field).
pub fn pgpass_lookup(text: &str, url: &DbUrl) -> Option<String> {
    let port = url.port.to_string();
    let wanted = [url.host.as_str(), port.as_str(), url.database.as_str(), url.user.as_str()];
    for line in text.lines() {
        if line.trim_start().starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields = split_pgpass_line(line);
        let [host, port, db, user, password] = fields.as_slice() else { continue };
        let matches = [host, port, db, user].iter().zip(wanted).all(|(field, want)| {
            // libpq: "localhost" in the file also matches a connection over the local socket; here the
            // host is always named, so it is compared as written.
            field.as_str() == "*" || field.as_str() == want
        });
        if matches {
            return Some(password.clone());
        }
    }
    None
}

fn split_pgpass_line(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let (Some(next), Some(field)) = (chars.next(), fields.last_mut()) {
                    field.push(next);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            _ => {
                if let Some(field) = fields.last_mut() {
                    field.push(c);
                }
            }
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_url_is_parsed_and_shown_without_change() {
        let url = DbUrl::parse("postgres://county@db.jingxian.lan:5433/wangge?schema=jingxian").unwrap();
        assert_eq!(url.user, "county");
        assert_eq!(url.host, "db.jingxian.lan");
        assert_eq!(url.port, 5433);
        assert_eq!(url.database, "wangge");
        assert_eq!(url.schema, "jingxian");
        assert_eq!(url.to_string(), "postgres://county@db.jingxian.lan:5433/wangge?schema=jingxian");
        let default_port = DbUrl::parse("postgresql://u@127.0.0.1/db?schema=s1").unwrap();
        assert_eq!(default_port.port, 5432);
        let v6 = DbUrl::parse("postgres://u@[::1]:6000/db?schema=s").unwrap();
        assert_eq!((v6.host.as_str(), v6.port), ("::1", 6000));
        assert_eq!(v6.to_string(), "postgres://u@[::1]:6000/db?schema=s");
        let encoded = DbUrl::parse("postgres://%E5%8E%BF@h/db?schema=s").unwrap();
        assert_eq!(encoded.user, "县");
    }

    #[test]
    fn a_malformed_url_says_what_is_wrong() {
        let cases = [
            ("mysql://u@h/db?schema=s", UrlProblem::Scheme),
            ("postgres://h:5432/db?schema=s", UrlProblem::NoUser),
            ("postgres://u:secret@h/db?schema=s", UrlProblem::PasswordInUrl),
            ("postgres://u@:5432/db?schema=s", UrlProblem::NoHost),
            ("postgres://u@h:99999/db?schema=s", UrlProblem::BadPort("99999".into())),
            ("postgres://u@h:x/db?schema=s", UrlProblem::BadPort("x".into())),
            ("postgres://u@h:5432?schema=s", UrlProblem::NoDatabase),
            ("postgres://u@h:5432/db", UrlProblem::NoSchema),
            ("postgres://u@h/db?schema=Jing-Xian", UrlProblem::BadSchema("Jing-Xian".into())),
            ("postgres://u@h/db?schema=x;drop", UrlProblem::BadSchema("x;drop".into())),
            ("postgres://u@h/db?schema=s&sslmode=require", UrlProblem::UnknownParameter("sslmode=require".into())),
            ("postgres://u%zz@h/db?schema=s", UrlProblem::BadEncoding("u%zz".into())),
        ];
        for (text, problem) in cases {
            assert_eq!(DbUrl::parse(text), Err(problem), "{text}");
        }
        // The password is not repeated in the message.
        let e = DbUrl::parse("postgres://u:secret@h/db?schema=s").unwrap_err();
        assert!(!e.to_string().contains("secret"));
        assert_eq!(redacted("postgres://u:secret@h/db?schema=s"), "postgres://u:***@h/db?schema=s");
        assert_eq!(redacted("postgres://u@h/db?schema=s"), "postgres://u@h/db?schema=s");
        assert_eq!(redacted("postgres://h/db?x=a:b@c"), "postgres://h/db?x=a:b@c");
    }

    #[test]
    fn only_urls_are_taken_for_database_projects() {
        assert!(is_db_url("postgres://u@h/db?schema=s"));
        assert!(is_db_url("POSTGRESQL://x"));
        assert!(!is_db_url("postgres.gpkg"));
        assert!(!is_db_path(Path::new("/data/泾川镇.gpkg")));
    }

    #[test]
    fn the_password_file_is_read_as_libpq_reads_it() {
        let url = DbUrl::parse("postgres://county@10.0.0.5:5432/wangge?schema=jingxian").unwrap();
        let text = "# comment\n\
                    10.0.0.5:5432:other:county:no\n\
                    10.0.0.5:*:wangge:county:pa\\:ss\\\\word\n\
                    *:*:*:*:fallback\n";
        assert_eq!(pgpass_lookup(text, &url).as_deref(), Some("pa:ss\\word"));
        let other = DbUrl::parse("postgres://township@10.0.0.5:5432/wangge?schema=jingxian").unwrap();
        assert_eq!(pgpass_lookup(text, &other).as_deref(), Some("fallback"));
        assert_eq!(pgpass_lookup("h:1:d:u\n", &url), None);
    }

    #[cfg(unix)]
    #[test]
    fn a_password_file_others_may_read_is_ignored_as_libpq_ignores_it() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pgpass");
        std::fs::write(&file, "*:*:*:*:secret\n").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(read_private(&file), None);
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(read_private(&file).as_deref(), Some("*:*:*:*:secret\n"));
        assert_eq!(read_private(&dir.path().join("missing")), None);
    }

    #[test]
    fn debug_output_holds_no_password() {
        let url = DbUrl::parse("postgres://u@h/db?schema=s").unwrap();
        assert_eq!(format!("{url:?}"), "DbUrl(postgres://u@h:5432/db?schema=s)");
    }
}
