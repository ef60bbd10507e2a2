//! Calls left pending after their hold, by call identity ([`crate::mapping::call_key`]): the
//! action a repeated call picks up. Kept in memory, and in `state_file` when the configuration
//! names one, so that a restarted gateway still picks up the decision instead of asking again.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

/// The pending calls.
#[derive(Debug, Default)]
pub struct Pending {
    calls: Mutex<HashMap<String, i64>>,
    file: Option<PathBuf>,
}

impl Pending {
    /// The calls kept in `file` (none yet if it does not exist); in memory only without one.
    pub fn load(file: Option<PathBuf>) -> Result<Pending, String> {
        let calls = match &file {
            Some(f) if f.exists() => {
                let text = std::fs::read_to_string(f).map_err(|e| format!("state_file {}: {e}", f.display()))?;
                serde_json::from_str(&text)
                    .map_err(|e| format!("state_file {}: not the gateway's state ({e})", f.display()))?
            }
            _ => HashMap::new(),
        };
        Ok(Pending { calls: Mutex::new(calls), file })
    }

    /// The action the call `key` left pending, forgotten now (it is kept again if still undecided).
    pub fn take(&self, key: &str) -> Option<i64> {
        let mut calls = self.calls.lock().unwrap_or_else(PoisonError::into_inner);
        let id = calls.remove(key);
        if id.is_some() {
            self.save(&calls);
        }
        id
    }

    /// Remembers that the call `key` waits on action `id`.
    pub fn keep(&self, key: String, id: i64) {
        let mut calls = self.calls.lock().unwrap_or_else(PoisonError::into_inner);
        calls.insert(key, id);
        self.save(&calls);
    }

    /// Writes the calls to the state file (a new file renamed over the old, so a crash leaves
    /// one or the other whole). A failure is logged: the calls are still kept in memory.
    fn save(&self, calls: &HashMap<String, i64>) {
        let Some(file) = &self.file else { return };
        let tmp = file.with_extension("tmp");
        let written = serde_json::to_string(calls)
            .map_err(std::io::Error::other)
            .and_then(|text| std::fs::write(&tmp, text))
            .and_then(|()| std::fs::rename(&tmp, file));
        if let Err(e) = written {
            tracing::warn!(file = %file.display(), error = %e, "could not save the pending calls");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_calls_outlive_the_process_with_a_state_file() {
        let file = std::env::temp_dir().join(format!("tenure-mcp-state-{}.json", std::process::id()));
        let _ = std::fs::remove_file(&file);
        let first = Pending::load(Some(file.clone())).unwrap();
        first.keep("refund\u{0}{\"amount\":40}".into(), 17);
        first.keep("report\u{0}{}".into(), 18);
        drop(first);

        let again = Pending::load(Some(file.clone())).unwrap();
        assert_eq!(again.take("refund\u{0}{\"amount\":40}"), Some(17));
        assert_eq!(again.take("refund\u{0}{\"amount\":40}"), None, "taken once");
        let third = Pending::load(Some(file.clone())).unwrap();
        assert_eq!((third.take("refund\u{0}{\"amount\":40}"), third.take("report\u{0}{}")), (None, Some(18)));

        std::fs::write(&file, "not json").unwrap();
        assert!(Pending::load(Some(file.clone())).unwrap_err().contains("not the gateway's state"));
        let _ = std::fs::remove_file(&file);
        let memory = Pending::load(None).unwrap();
        memory.keep("k".into(), 1);
        assert_eq!(memory.take("k"), Some(1));
    }
}
