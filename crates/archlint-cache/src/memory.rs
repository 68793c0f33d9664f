//! L1: a concurrent in-memory cache for long-lived processes, strictly bounded by entries and by
//! bytes, with least-recently-used eviction and a time-to-live per entry.
//!
//! The bound is enforced under the lock on every insert, so the cache never holds more than its
//! limits, not even briefly (caches with asynchronous eviction such as moka may overshoot until
//! their maintenance runs, which is why this one is our own).

use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rustc_hash::FxHashMap;

const NIL: usize = usize::MAX;

struct Node<K, V> {
    key: K,
    value: V,
    weight: usize,
    expires: Option<Instant>,
    prev: usize,
    next: usize,
}

struct Lru<K, V> {
    map: FxHashMap<K, usize>,
    nodes: Vec<Option<Node<K, V>>>,
    free: Vec<usize>,
    /// Most recently used.
    head: usize,
    /// Least recently used.
    tail: usize,
    bytes: usize,
    evictions: u64,
}

impl<K: Hash + Eq + Clone, V> Lru<K, V> {
    fn node(&mut self, i: usize) -> &mut Node<K, V> {
        self.nodes[i].as_mut().expect("linked node exists")
    }

    fn unlink(&mut self, i: usize) {
        let (prev, next) = {
            let n = self.node(i);
            (n.prev, n.next)
        };
        if prev == NIL {
            self.head = next;
        } else {
            self.node(prev).next = next;
        }
        if next == NIL {
            self.tail = prev;
        } else {
            self.node(next).prev = prev;
        }
    }

    fn push_front(&mut self, i: usize) {
        let head = self.head;
        {
            let n = self.node(i);
            n.prev = NIL;
            n.next = head;
        }
        if head != NIL {
            self.node(head).prev = i;
        }
        self.head = i;
        if self.tail == NIL {
            self.tail = i;
        }
    }

    fn remove(&mut self, i: usize) -> Node<K, V> {
        self.unlink(i);
        let node = self.nodes[i].take().expect("linked node exists");
        self.free.push(i);
        self.map.remove(&node.key);
        self.bytes -= node.weight;
        node
    }
}

/// Counters of a memory cache.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemoryStats {
    pub entries: usize,
    pub bytes: usize,
    pub evictions: u64,
}

/// A strictly bounded LRU cache, safe to share between threads.
pub struct MemoryCache<K, V> {
    max_entries: usize,
    max_bytes: usize,
    inner: Mutex<Lru<K, V>>,
}

impl<K: Hash + Eq + Clone, V: Clone> MemoryCache<K, V> {
    /// A cache holding at most `max_entries` entries whose weights sum to at most `max_bytes`.
    pub fn new(max_entries: usize, max_bytes: usize) -> Self {
        MemoryCache {
            max_entries,
            max_bytes,
            inner: Mutex::new(Lru {
                map: FxHashMap::default(),
                nodes: Vec::new(),
                free: Vec::new(),
                head: NIL,
                tail: NIL,
                bytes: 0,
                evictions: 0,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Lru<K, V>> {
        // A panic while holding the lock cannot leave the list half-linked in a way that matters
        // more than losing the cache, so recover the guard rather than propagate the poison.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The value for `key`, if present and not expired; marks it most recently used.
    pub fn get(&self, key: &K) -> Option<V> {
        let mut lru = self.lock();
        let i = *lru.map.get(key)?;
        if lru.node(i).expires.is_some_and(|e| e <= Instant::now()) {
            lru.remove(i);
            return None;
        }
        lru.unlink(i);
        lru.push_front(i);
        Some(lru.node(i).value.clone())
    }

    /// Insert or replace a value with its weight (its size in bytes) and an optional TTL.
    /// Returns false (and stores nothing) when the value alone is heavier than the byte bound.
    pub fn insert(&self, key: K, value: V, weight: usize, ttl: Option<Duration>) -> bool {
        if weight > self.max_bytes || self.max_entries == 0 {
            self.remove(&key);
            return false;
        }
        let expires = ttl.map(|t| Instant::now() + t);
        let mut lru = self.lock();
        if let Some(&i) = lru.map.get(&key) {
            lru.remove(i);
        }
        while lru.map.len() + 1 > self.max_entries || lru.bytes + weight > self.max_bytes {
            let tail = lru.tail;
            if tail == NIL {
                break;
            }
            lru.remove(tail);
            lru.evictions += 1;
        }
        let node = Node {
            key: key.clone(),
            value,
            weight,
            expires,
            prev: NIL,
            next: NIL,
        };
        let i = match lru.free.pop() {
            Some(i) => {
                lru.nodes[i] = Some(node);
                i
            }
            None => {
                lru.nodes.push(Some(node));
                lru.nodes.len() - 1
            }
        };
        lru.map.insert(key, i);
        lru.bytes += weight;
        lru.push_front(i);
        true
    }

    /// Remove an entry.
    pub fn remove(&self, key: &K) -> Option<V> {
        let mut lru = self.lock();
        let i = *lru.map.get(key)?;
        Some(lru.remove(i).value)
    }

    /// Current size and evictions so far.
    pub fn stats(&self) -> MemoryStats {
        let lru = self.lock();
        MemoryStats {
            entries: lru.map.len(),
            bytes: lru.bytes,
            evictions: lru.evictions,
        }
    }

    /// Drop every entry.
    pub fn clear(&self) {
        let mut lru = self.lock();
        lru.map.clear();
        lru.nodes.clear();
        lru.free.clear();
        lru.head = NIL;
        lru.tail = NIL;
        lru.bytes = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn evicts_least_recently_used() {
        let cache = MemoryCache::new(2, 1000);
        cache.insert("a", 1, 1, None);
        cache.insert("b", 2, 1, None);
        assert_eq!(cache.get(&"a"), Some(1)); // b is now least recently used
        cache.insert("c", 3, 1, None);
        assert_eq!(cache.get(&"b"), None);
        assert_eq!(cache.get(&"a"), Some(1));
        assert_eq!(cache.get(&"c"), Some(3));
        assert_eq!(cache.stats().evictions, 1);
    }

    #[test]
    fn byte_bound_and_oversized_values() {
        let cache = MemoryCache::new(100, 10);
        assert!(cache.insert(1, "x", 6, None));
        assert!(cache.insert(2, "y", 4, None));
        assert!(cache.insert(3, "z", 5, None)); // evicts 1 (6 bytes)
        assert_eq!(cache.get(&1), None);
        assert_eq!(cache.stats().bytes, 9);
        assert!(!cache.insert(4, "huge", 11, None));
        assert_eq!(cache.get(&4), None);
        // Replacing a key replaces its weight.
        assert!(cache.insert(2, "y2", 1, None));
        assert_eq!(cache.stats().bytes, 6);
    }

    #[test]
    fn ttl_expires_entries() {
        let cache = MemoryCache::new(10, 100);
        cache.insert("short", 1, 1, Some(Duration::from_millis(20)));
        cache.insert("long", 2, 1, Some(Duration::from_secs(60)));
        cache.insert("forever", 3, 1, None);
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(cache.get(&"short"), None);
        assert_eq!(cache.get(&"long"), Some(2));
        assert_eq!(cache.get(&"forever"), Some(3));
    }

    #[test]
    fn never_exceeds_its_bounds_under_concurrent_inserts() {
        const MAX_ENTRIES: usize = 64;
        const MAX_BYTES: usize = 1000;
        let cache = Arc::new(MemoryCache::new(MAX_ENTRIES, MAX_BYTES));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        // A watcher samples the size continuously while 8 writers insert.
        let watcher = {
            let cache = Arc::clone(&cache);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let mut samples = 0u64;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let s = cache.stats();
                    assert!(s.entries <= MAX_ENTRIES, "{} entries", s.entries);
                    assert!(s.bytes <= MAX_BYTES, "{} bytes", s.bytes);
                    samples += 1;
                }
                samples
            })
        };
        let writers: Vec<_> = (0..8u64)
            .map(|t| {
                let cache = Arc::clone(&cache);
                std::thread::spawn(move || {
                    for i in 0..20_000u64 {
                        let key = (t * 1_000_003 + i * 7919) % 5000;
                        let weight = ((key * 31) % 40 + 1) as usize;
                        cache.insert(key, i, weight, None);
                        if i % 3 == 0 {
                            cache.get(&((key + 1) % 5000));
                        }
                    }
                })
            })
            .collect();
        for w in writers {
            w.join().unwrap();
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        assert!(watcher.join().unwrap() > 0);
        let s = cache.stats();
        assert!(s.entries <= MAX_ENTRIES && s.bytes <= MAX_BYTES);
        assert!(s.evictions > 0);
    }
}
