//! What stands in front of the join page: a CSRF token per form (double submit: a random
//! nonce in a `SameSite=Strict` cookie, and its HMAC in the form), rate limits per address and
//! per link (governor's keyed limiters), and the visitor's address.

use axum::http::HeaderMap;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use hmac::{KeyInit, Mac};
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::time::Duration;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

pub const CSRF_COOKIE: &str = "guestlist_join";
/// A form older than this is refused (shown again, filled in, with a new token).
const CSRF_MAX_AGE_SECS: u64 = 2 * 3600;

/// The join page's limits and cookie flags, from the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinGuardSettings {
    /// Form submissions one address (and one link) may make per minute; more get 429.
    pub submissions_per_minute: u32,
    /// Read the visitor's address from the last `X-Forwarded-For` entry (behind a proxy that
    /// sets it); else the TCP peer's.
    pub trust_forwarded_for: bool,
    /// `Secure` cookies (the public URL is https).
    pub secure_cookies: bool,
}

impl Default for JoinGuardSettings {
    fn default() -> Self {
        Self {
            submissions_per_minute: 20,
            trust_forwarded_for: false,
            secure_cookies: false,
        }
    }
}

pub struct JoinGuard {
    pub settings: JoinGuardSettings,
    csrf_key: Vec<u8>,
    posts_per_ip: DefaultKeyedRateLimiter<IpAddr>,
    posts_per_link: DefaultKeyedRateLimiter<String>,
    /// Page views per address: generous, but enough to make guessing links pointless.
    views_per_ip: DefaultKeyedRateLimiter<IpAddr>,
}

impl JoinGuard {
    /// `csrf_key`: the same on every replica (derived from the signing secret), so a form
    /// served by one is accepted by another.
    pub fn new(settings: JoinGuardSettings, csrf_key: Vec<u8>) -> Self {
        let per_minute = NonZeroU32::new(settings.submissions_per_minute.max(1)).expect("non-zero");
        let views = NonZeroU32::new(settings.submissions_per_minute.max(1).saturating_mul(6))
            .expect("non-zero");
        Self {
            posts_per_ip: RateLimiter::keyed(Quota::per_minute(per_minute)),
            posts_per_link: RateLimiter::keyed(Quota::per_minute(per_minute)),
            views_per_ip: RateLimiter::keyed(Quota::per_minute(views)),
            settings,
            csrf_key,
        }
    }

    /// The visitor's address.
    pub fn client_ip(&self, headers: &HeaderMap, peer: Option<SocketAddr>) -> Option<IpAddr> {
        if self.settings.trust_forwarded_for {
            // The proxy appends the address it saw: the last entry. Earlier ones are whatever
            // the client sent, so they are never used; a bad last entry falls back to the peer.
            let last = headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .next_back();
            if let Some(ip) = last.and_then(|v| v.trim().parse::<IpAddr>().ok()) {
                return Some(ip);
            }
        }
        peer.map(|p| p.ip())
    }

    /// `Err(wait)` when this address has made too many submissions.
    pub fn check_post(&self, ip: Option<IpAddr>, link: Option<&str>) -> Result<(), Duration> {
        let ip = ip.map(limit_key);
        let wait = |e: governor::NotUntil<_>| e.wait_time_from(DefaultClock::default().now());
        if let Some(ip) = ip {
            self.posts_per_ip.check_key(&ip).map_err(wait)?;
        }
        if let Some(link) = link {
            self.posts_per_link
                .check_key(&link.to_string())
                .map_err(wait)?;
        }
        self.forget_old();
        Ok(())
    }

    pub fn check_view(&self, ip: Option<IpAddr>) -> Result<(), Duration> {
        match ip.map(limit_key) {
            Some(ip) => self
                .views_per_ip
                .check_key(&ip)
                .map_err(|e| e.wait_time_from(DefaultClock::default().now())),
            None => Ok(()),
        }
    }

    /// Keeps the limiters' memory bounded: keys whose limit has fully recovered are dropped.
    fn forget_old(&self) {
        for limiter in [&self.posts_per_ip, &self.views_per_ip] {
            if limiter.len() > 10_000 {
                limiter.retain_recent();
            }
        }
        if self.posts_per_link.len() > 10_000 {
            self.posts_per_link.retain_recent();
        }
    }

    /// A new nonce for the cookie.
    pub fn new_nonce() -> String {
        hex::encode(rand::random::<[u8; 16]>())
    }

    /// The form's token for a nonce, issued now (`<unix seconds>.<hmac>`).
    pub fn token(&self, nonce: &str, now_secs: u64) -> String {
        format!("{now_secs}.{}", hex::encode(self.mac(nonce, now_secs)))
    }

    /// The form's token matches the cookie's nonce and is not too old.
    pub fn token_ok(&self, nonce: Option<&str>, token: Option<&str>, now_secs: u64) -> bool {
        let (Some(nonce), Some(token)) = (nonce, token) else {
            return false;
        };
        let Some((issued, mac)) = token.split_once('.') else {
            return false;
        };
        let (Ok(issued), Ok(mac)) = (issued.parse::<u64>(), hex::decode(mac)) else {
            return false;
        };
        if issued > now_secs + 60 || now_secs.saturating_sub(issued) > CSRF_MAX_AGE_SECS {
            return false;
        }
        let mut expected =
            HmacSha256::new_from_slice(&self.csrf_key).expect("HMAC takes any key length");
        expected.update(format!("join-csrf|{nonce}|{issued}").as_bytes());
        expected.verify_slice(&mac).is_ok()
    }

    fn mac(&self, nonce: &str, issued: u64) -> Vec<u8> {
        let mut mac =
            HmacSha256::new_from_slice(&self.csrf_key).expect("HMAC takes any key length");
        mac.update(format!("join-csrf|{nonce}|{issued}").as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    /// The `Set-Cookie` value for a nonce.
    pub fn cookie(&self, nonce: &str) -> String {
        format!(
            "{CSRF_COOKIE}={nonce}; Path=/join; Max-Age={CSRF_MAX_AGE_SECS}; HttpOnly; SameSite=Strict{}",
            if self.settings.secure_cookies {
                "; Secure"
            } else {
                ""
            }
        )
    }
}

/// What a limit counts by: an IPv4 address, or an IPv6 address's /64 (one subscriber's
/// network: its addresses are free to rotate within it).
fn limit_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => {
            let mut segments = v6.segments();
            segments[4..].fill(0);
            IpAddr::V6(std::net::Ipv6Addr::from(segments))
        }
    }
}

/// The nonce in the request's cookie, if it looks like one of ours.
pub fn cookie_nonce(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == CSRF_COOKIE)
        .map(|(_, value)| value.to_string())
        .filter(|v| v.len() == 32 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard(per_minute: u32) -> JoinGuard {
        JoinGuard::new(
            JoinGuardSettings {
                submissions_per_minute: per_minute,
                ..JoinGuardSettings::default()
            },
            b"key".to_vec(),
        )
    }

    #[test]
    fn csrf_token_is_bound_to_its_nonce_and_age() {
        let g = guard(20);
        let nonce = JoinGuard::new_nonce();
        let token = g.token(&nonce, 1_000);
        assert!(g.token_ok(Some(&nonce), Some(&token), 1_000 + 60));
        assert!(!g.token_ok(Some(&JoinGuard::new_nonce()), Some(&token), 1_000));
        assert!(!g.token_ok(Some(&nonce), None, 1_000));
        assert!(!g.token_ok(None, Some(&token), 1_000));
        assert!(!g.token_ok(Some(&nonce), Some(&token), 1_000 + CSRF_MAX_AGE_SECS + 1));
        let forged = format!("2000.{}", token.split_once('.').unwrap().1);
        assert!(!g.token_ok(Some(&nonce), Some(&forged), 2_000));
        let other_key = JoinGuard::new(JoinGuardSettings::default(), b"other".to_vec());
        assert!(!other_key.token_ok(Some(&nonce), Some(&token), 1_000));
    }

    #[test]
    fn forwarded_for_only_when_trusted() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            "203.0.113.9, 198.51.100.7".parse().unwrap(),
        );
        let peer: SocketAddr = "10.0.0.1:5000".parse().unwrap();
        assert_eq!(
            guard(20).client_ip(&headers, Some(peer)),
            Some("10.0.0.1".parse().unwrap())
        );
        let trusting = JoinGuard::new(
            JoinGuardSettings {
                trust_forwarded_for: true,
                ..JoinGuardSettings::default()
            },
            b"k".to_vec(),
        );
        assert_eq!(
            trusting.client_ip(&headers, Some(peer)),
            Some("198.51.100.7".parse().unwrap())
        );
    }

    #[test]
    fn an_ipv6_network_counts_as_one_address() {
        let g = guard(2);
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert!(g.check_post(Some(a), None).is_ok());
        assert!(g.check_post(Some(b), None).is_ok());
        assert!(g.check_post(Some(a), None).is_err(), "same /64");
        assert!(g.check_post(Some(other), None).is_ok());
    }

    #[test]
    fn cookie_is_read_back() {
        let g = guard(20);
        let nonce = JoinGuard::new_nonce();
        let mut headers = HeaderMap::new();
        let set = g.cookie(&nonce);
        let pair = set.split(';').next().unwrap();
        headers.insert(
            axum::http::header::COOKIE,
            format!("other=1; {pair}").parse().unwrap(),
        );
        assert_eq!(cookie_nonce(&headers), Some(nonce));
        assert!(set.contains("SameSite=Strict") && set.contains("HttpOnly"));
    }
}
