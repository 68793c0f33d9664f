//! Politeness and resilience: a requests-per-second limit, retry delays with jitter, and a
//! circuit breaker that stops calling a failing service.

use std::hash::{BuildHasher, Hasher};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Evenly spaced request starts: at most `rate` per second.
pub struct RateLimiter {
    interval: Duration,
    next: Mutex<Instant>,
}

impl RateLimiter {
    pub fn new(rate: f64) -> RateLimiter {
        let rate = if rate.is_finite() && rate > 0.0 {
            rate
        } else {
            20.0
        };
        RateLimiter {
            interval: Duration::from_secs_f64(1.0 / rate),
            next: Mutex::new(Instant::now()),
        }
    }

    /// Wait for this request's slot.
    pub async fn wait(&self) {
        let slot = {
            let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            let slot = (*next).max(now);
            *next = slot + self.interval;
            slot
        };
        tokio::time::sleep_until(slot.into()).await;
    }
}

/// Exponential backoff from `base`, doubled per attempt, capped, with ±50 % jitter.
pub fn backoff(base: Duration, attempt: u32, cap: Duration) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.min(16)).min(cap);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(attempt);
    let unit = (h.finish() % 1000) as f64 / 1000.0; // [0, 1)
    exp.mul_f64(0.5 + unit)
}

/// `Retry-After`: delay-seconds or an HTTP date; capped.
pub fn retry_after(value: &str, cap: Duration) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs).min(cap));
    }
    // An HTTP date: honour it only roughly (a minute's precision is plenty here).
    parse_http_date(v).map(|at| {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Duration::from_secs(at.saturating_sub(now)).min(cap)
    })
}

/// `Sun, 06 Nov 1994 08:49:37 GMT` → seconds since the epoch.
fn parse_http_date(s: &str) -> Option<u64> {
    let parts: Vec<&str> = s.split_whitespace().collect();
    if parts.len() != 6 {
        return None;
    }
    let day: i64 = parts[1].parse().ok()?;
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .iter()
    .position(|m| *m == parts[2])? as i64
        + 1;
    let year: i64 = parts[3].parse().ok()?;
    let hms: Vec<i64> = parts[4].split(':').filter_map(|x| x.parse().ok()).collect();
    if hms.len() != 3 {
        return None;
    }
    // Days from civil (Howard Hinnant).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400 + hms[0] * 3600 + hms[1] * 60 + hms[2]).ok()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Closed {
        failures: u32,
    },
    Open {
        until: Instant,
    },
    /// One probe is in flight; everything else fails fast until it answers.
    HalfOpen,
}

/// Opens after `threshold` consecutive failures; after `cooldown` lets one probe through, which
/// closes it on success or opens it again on failure.
pub struct Breaker {
    state: Mutex<State>,
    threshold: u32,
    cooldown: Duration,
    opened: Mutex<u32>,
}

impl Breaker {
    pub fn new(threshold: u32, cooldown: Duration) -> Breaker {
        Breaker {
            state: Mutex::new(State::Closed { failures: 0 }),
            threshold: threshold.max(1),
            cooldown,
            opened: Mutex::new(0),
        }
    }

    /// Whether a request may go out now.
    pub fn allow(&self) -> bool {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        match *s {
            State::Closed { .. } => true,
            State::Open { until } if Instant::now() >= until => {
                *s = State::HalfOpen;
                true
            }
            State::Open { .. } | State::HalfOpen => false,
        }
    }

    pub fn success(&self) {
        *self.state.lock().unwrap_or_else(|e| e.into_inner()) = State::Closed { failures: 0 };
    }

    pub fn failure(&self) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let open = match *s {
            State::Closed { failures } if failures + 1 >= self.threshold => true,
            State::Closed { failures } => {
                *s = State::Closed {
                    failures: failures + 1,
                };
                false
            }
            State::HalfOpen => true,
            State::Open { .. } => false,
        };
        if open {
            *s = State::Open {
                until: Instant::now() + self.cooldown,
            };
            *self.opened.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        }
    }

    pub fn is_open(&self) -> bool {
        matches!(
            *self.state.lock().unwrap_or_else(|e| e.into_inner()),
            State::Open { .. } | State::HalfOpen
        )
    }

    /// How many times it opened.
    pub fn times_opened(&self) -> u32 {
        *self.opened.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breaker_opens_half_opens_and_closes() {
        let b = Breaker::new(3, Duration::from_millis(50));
        for _ in 0..2 {
            assert!(b.allow());
            b.failure();
        }
        assert!(!b.is_open());
        b.failure();
        assert!(b.is_open());
        assert!(!b.allow(), "open: fail fast");
        std::thread::sleep(Duration::from_millis(60));
        assert!(b.allow(), "the probe");
        assert!(!b.allow(), "only one probe at a time");
        b.failure();
        assert!(!b.allow(), "the probe failed: open again");
        std::thread::sleep(Duration::from_millis(60));
        assert!(b.allow());
        b.success();
        assert!(!b.is_open());
        assert!(b.allow() && b.allow());
        assert_eq!(b.times_opened(), 2);
    }

    #[test]
    fn retry_after_and_backoff() {
        assert_eq!(
            retry_after("3", Duration::from_secs(60)),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            retry_after("9999", Duration::from_secs(60)),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:49:37 GMT", Duration::from_secs(60)),
            Some(Duration::ZERO)
        );
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(retry_after("soon", Duration::from_secs(60)), None);
        for attempt in 0..5 {
            let d = backoff(Duration::from_millis(100), attempt, Duration::from_secs(5));
            let exp = Duration::from_millis(100 * (1 << attempt)).min(Duration::from_secs(5));
            assert!(
                d >= exp.mul_f64(0.5) && d <= exp.mul_f64(1.5),
                "{d:?} vs {exp:?}"
            );
        }
    }

    #[tokio::test(flavor = "current_thread")]
    async fn rate_limiter_spaces_requests() {
        let r = RateLimiter::new(100.0);
        let start = Instant::now();
        for _ in 0..11 {
            r.wait().await;
        }
        let elapsed = start.elapsed();
        assert!(elapsed >= Duration::from_millis(95), "{elapsed:?}");
    }
}
