//! EXPOSE port specs: `[ip:][hostport:]port[-end][/proto]`, as BuildKit parses them.

use super::errors::ErrorKind;

/// A port of `EXPOSE`, e.g. `80/tcp`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ExposedPort {
    pub port: u16,
    /// `tcp`, `udp` or `sctp`, lower-cased.
    pub proto: String,
}

impl std::fmt::Display for ExposedPort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.port, self.proto)
    }
}

/// Parses one expanded EXPOSE word into its ports (a range gives several).
pub(crate) fn parse_port(raw: &str) -> Result<Vec<ExposedPort>, ErrorKind> {
    let bad = |reason: String| ErrorKind::InvalidPort {
        port: raw.to_string(),
        reason,
    };
    let parts: Vec<&str> = raw.split(':').collect();
    let (ip, host_port, container) = match parts.len() {
        1 => ("".to_string(), "", parts[0]),
        2 => ("".to_string(), parts[0], parts[1]),
        n => (parts[..n - 2].join(":"), parts[n - 2], parts[n - 1]),
    };
    let (port, proto) = container.split_once('/').unwrap_or((container, ""));
    if port.is_empty() {
        return Err(bad("no port specified".into()));
    }
    let proto = match proto.to_lowercase().as_str() {
        "" => "tcp".to_string(),
        p @ ("tcp" | "udp" | "sctp") => p.to_string(),
        _ => {
            return Err(bad(format!(
                "invalid proto: {proto} (expected tcp, udp or sctp)"
            )))
        }
    };
    if !ip.is_empty() {
        let ip = ip.trim_start_matches('[').trim_end_matches(']');
        if ip.parse::<std::net::IpAddr>().is_err() {
            return Err(bad(format!("invalid IP address: {ip}")));
        }
    }
    let (start, end) =
        port_range(port).ok_or_else(|| bad(format!("invalid containerPort: {port}")))?;
    if !host_port.is_empty() {
        let (hs, he) =
            port_range(host_port).ok_or_else(|| bad(format!("invalid hostPort: {host_port}")))?;
        if end - start != he - hs && end != start {
            return Err(bad(format!(
                "invalid ranges specified for container and host Ports: {port} and {host_port}"
            )));
        }
    }
    Ok((start..=end)
        .map(|p| ExposedPort {
            port: p,
            proto: proto.clone(),
        })
        .collect())
}

fn port_range(s: &str) -> Option<(u16, u16)> {
    let num = |v: &str| -> Option<u16> {
        if v.is_empty() {
            return None;
        }
        // Go's ParseInt accepts a sign; negative values fail the range check anyway.
        let v = v.strip_prefix('+').unwrap_or(v);
        v.parse::<u16>().ok()
    };
    match s.split_once('-') {
        None => num(s).map(|p| (p, p)),
        Some((a, b)) if a == b => num(a).map(|p| (p, p)),
        Some((a, b)) => {
            let (a, b) = (num(a)?, num(b)?);
            (b >= a).then_some((a, b))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ports(s: &str) -> Result<Vec<String>, String> {
        parse_port(s)
            .map(|v| v.iter().map(|p| p.to_string()).collect())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn ports_and_ranges() {
        assert_eq!(ports("80").unwrap(), vec!["80/tcp"]);
        assert_eq!(ports("53/UDP").unwrap(), vec!["53/udp"]);
        assert_eq!(
            ports("7000-7002/sctp").unwrap(),
            vec!["7000/sctp", "7001/sctp", "7002/sctp"]
        );
        assert_eq!(ports("8080:80").unwrap(), vec!["80/tcp"]);
        assert_eq!(ports("127.0.0.1:8080:80").unwrap(), vec!["80/tcp"]);
        assert!(ports("80/http")
            .unwrap_err()
            .contains("invalid proto: http"));
        assert!(ports("65536")
            .unwrap_err()
            .contains("invalid containerPort"));
        assert!(ports("/tcp").unwrap_err().contains("no port specified"));
        assert!(ports("90-80").is_err());
        assert!(ports("x:1:2").unwrap_err().contains("invalid IP address"));
    }
}
