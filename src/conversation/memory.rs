//! Bounded conversation memory: at most `capacity` contexts (least recently
//! used dropped first), each forgotten `ttl` after it was stored. The clock
//! is passed in, so tests need no sleeps.

use super::Context;
use lru::LruCache;
use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Whose conversation a context belongs to. Keys of different chats never
/// match, so contexts cannot leak between chats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    /// A private chat: the whole chat is one conversation.
    Chat(i64),
    /// A group: the conversation is a reply chain, keyed by the bot's
    /// message that a reply continues.
    Message {
        /// The group.
        chat: i64,
        /// The bot's answer.
        message: i32,
    },
}

/// Contexts by conversation, bounded in number and age.
pub struct Memory {
    ttl: Duration,
    entries: Mutex<LruCache<Key, (Context, Instant)>>,
}

impl Memory {
    /// The bot's default: 10,000 contexts, 30 minutes.
    pub const CAPACITY: usize = 10_000;
    /// How long a context is remembered.
    pub const TTL: Duration = Duration::from_secs(30 * 60);

    /// Memory for at most `capacity` contexts (at least one), each kept `ttl`.
    pub fn new(capacity: usize, ttl: Duration) -> Memory {
        let capacity = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        Memory {
            ttl,
            entries: Mutex::new(LruCache::new(capacity)),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LruCache<Key, (Context, Instant)>> {
        // A panic while holding the lock leaves a consistent cache behind.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The context of `key`, if it was stored less than `ttl` before `now`.
    pub fn get(&self, key: &Key, now: Instant) -> Option<Context> {
        let mut entries = self.lock();
        let (context, stored) = entries.get(key)?;
        if now.saturating_duration_since(*stored) >= self.ttl {
            entries.pop(key);
            return None;
        }
        Some(context.clone())
    }

    /// Stores `context` for `key` at `now`, dropping the least recently used
    /// context when full.
    pub fn put(&self, key: Key, context: Context, now: Instant) {
        self.lock().put(key, (context, now));
    }

    /// How many contexts are held (expired ones included until touched).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no context is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Default for Memory {
    fn default() -> Memory {
        Memory::new(Memory::CAPACITY, Memory::TTL)
    }
}
