//! Which `Host` the dev server answers to.
//!
//! A web page anywhere can make a browser on this machine send requests to
//! the dev server through DNS rebinding: its own name is made to resolve to
//! 127.0.0.1, and the browser then lets it read the answers, the live-reload
//! stream and its error overlay (source lines of content/ files) included.
//! Such a request always carries the page's name in its `Host` header, so
//! the server answers only to the names it is really reached by:
//! `localhost`, a loopback address and the address it listens on (with
//! `--bind 0.0.0.0` or `::`, any IP address, so that other devices can use
//! the machine's address). A name is never accepted, since a name is what
//! rebinding needs. A request without a `Host` header (HTTP/1.0) cannot come
//! from a browser, which always sends one, and is answered. Pure functions
//! on strings: nothing here touches the network.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The host part of a `Host` header: an IP address or a name.
#[derive(Debug, PartialEq, Eq)]
enum Host<'a> {
    Ip(IpAddr),
    Name(&'a str),
}

/// True when a request naming `authority` (its `Host` header, or the
/// authority of an absolute URL) may be answered by the server listening on
/// `served`. A port, when given, must be the one served.
pub fn allowed(authority: &str, served: SocketAddr) -> bool {
    let Some((host, port)) = split(authority) else {
        return false;
    };
    if port.is_some_and(|port| port != served.port()) {
        return false;
    }
    match host {
        Host::Name(name) => name.eq_ignore_ascii_case("localhost"),
        Host::Ip(ip) => ip.is_loopback() || ip == served.ip() || served.ip().is_unspecified(),
    }
}

/// `name`, `name:port`, `1.2.3.4:port`, `[::1]:port` split into the host and
/// the port; `None` when it is none of these.
fn split(authority: &str) -> Option<(Host<'_>, Option<u16>)> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        let ip: Ipv6Addr = inside.parse().ok()?;
        (Host::Ip(ip.into()), if after.is_empty() { None } else { Some(after.strip_prefix(':')?) })
    } else {
        let (name, port) = match authority.split_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (authority, None),
        };
        let host = match name.parse::<Ipv4Addr>() {
            Ok(ip) => Host::Ip(ip.into()),
            Err(_) => Host::Name(name),
        };
        (host, port)
    };
    let port = match port {
        None => None,
        Some(port) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => Some(port.parse().ok()?),
        Some(_) => return None,
    };
    Some((host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(address: &str) -> SocketAddr {
        address.parse().unwrap()
    }

    #[test]
    fn the_loopback_names_are_answered_with_or_without_the_port() {
        let served = at("127.0.0.1:4000");
        for host in
            ["localhost", "localhost:4000", "LocalHost:4000", "127.0.0.1", "127.0.0.1:4000", "[::1]", "[::1]:4000"]
        {
            assert!(allowed(host, served), "{host}");
        }
    }

    #[test]
    fn other_names_ports_and_shapes_are_refused() {
        let served = at("127.0.0.1:4000");
        for host in [
            "evil.example",
            "evil.example:4000",
            "localhost.evil.example:4000",
            "localhost:4001",
            "127.0.0.1:80",
            "localhost:",
            "localhost:+4000",
            "localhost:4000:4000",
            "user@localhost:4000",
            "::1",
            "[::1",
            "[::1]4000",
            "[evil.example]:4000",
            "192.168.1.5:4000",
            "",
        ] {
            assert!(!allowed(host, served), "{host}");
        }
    }

    #[test]
    fn the_bind_address_is_answered_and_all_interfaces_take_any_address_but_no_name() {
        let lan = at("192.168.1.5:4000");
        assert!(allowed("192.168.1.5:4000", lan));
        assert!(allowed("localhost:4000", lan));
        assert!(!allowed("192.168.1.6:4000", lan));
        for served in [at("0.0.0.0:4000"), at("[::]:4000")] {
            assert!(allowed("192.168.1.5:4000", served));
            assert!(allowed("[fe80::1]:4000", served));
            assert!(!allowed("laptop.local:4000", served), "a name: rebinding's way in");
        }
    }
}
