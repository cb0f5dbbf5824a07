//! The prefixes the runtimes put before a message, read token by token:
//! Node and .NET `<time>\t<request id>\t<LEVEL>\t`, Python
//! `[LEVEL]\t<time>\t<request id>\t`, Java log4j2 `<date> <time> <request id>
//! <LEVEL> `, Ruby's Logger `I, [<time> #<pid>]  INFO <request id> -- : `, the
//! C bootstrap `12 May 2020 21:19:02,997 [WARN] `. Only timestamps, ids and
//! levels may stand in a prefix, so prose is never mistaken for one.

use super::taxonomy::{Level, level_of_token};

/// Tokens read at most: Ruby's prefix is the longest (seven).
const MAX_TOKENS: usize = 8;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A request id: Lambda's 8-4-4-4-12 UUID shape. Letters beyond hex are
/// allowed because AWS's documentation masks ids with `xmpl`.
pub fn is_request_uuid(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                *c == b'-'
            } else {
                c.is_ascii_alphanumeric()
            }
        })
}

/// A token that may stand in a prefix other than a level.
fn prefix_like(t: &str) -> bool {
    let b = t.as_bytes();
    let first = b.first().copied().unwrap_or(b' ');
    first.is_ascii_digit()
        || (b.len() > 1 && (first == b'[' || first == b'#') && b[1].is_ascii_digit())
        || (b.len() == 2 && first.is_ascii_uppercase() && b[1] == b',')
        || MONTHS.contains(&t)
        || t == "--"
        || t == ":"
        || is_request_uuid(t)
}

/// What a runtime's prefix says, and where the message starts.
#[derive(Debug, Default, Clone, Copy)]
pub struct Prefix<'a> {
    /// The level token, if the prefix has one.
    pub level: Option<Level>,
    /// The request id token, if the prefix has one.
    pub request_id: Option<&'a str>,
    /// The message after the prefix.
    pub rest: &'a str,
}

/// Reads the prefix of a text line.
pub fn read(message: &str) -> Prefix<'_> {
    let mut p = Prefix {
        rest: message.trim_start(),
        ..Default::default()
    };
    for _ in 0..MAX_TOKENS {
        let end = p
            .rest
            .find(|c: char| c.is_ascii_whitespace())
            .unwrap_or(p.rest.len());
        let token = &p.rest[..end];
        if token.is_empty() {
            break;
        }
        if let Some(l) = level_of_token(token).filter(|_| p.level.is_none()) {
            p.level = Some(l);
        } else if is_request_uuid(token) && p.request_id.is_none() {
            p.request_id = Some(token);
        } else if !prefix_like(token) {
            break;
        }
        p.rest = p.rest[end..].trim_start();
    }
    p
}
