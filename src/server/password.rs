//! Password hashes: Argon2id with the crate's defaults (19 MiB, t=2, p=1), computed on
//! a blocking thread so that a burst of sign-ins never stalls the async workers, and
//! no more at once than the machine has cores (the caller's [`Semaphore`]): 500 agents
//! signing in together would otherwise start 500 threads and ask for 9 GiB.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use tokio::sync::Semaphore;

/// The shortest password accepted.
pub const MIN_LENGTH: usize = 10;

/// A PHC string (`$argon2id$v=19$…`) for `password`.
pub fn hash(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| format!("cannot hash the password: {e}"))
}

/// Whether `password` matches `phc`; a damaged hash matches nothing.
pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// How many hashes may be computed at once: one per core.
pub fn hashing_limit() -> Semaphore {
    Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
}

/// [`hash`] off the async threads, within `limit`.
pub async fn hash_blocking(password: String, limit: &Semaphore) -> Result<String, String> {
    let _turn = limit
        .acquire()
        .await
        .map_err(|_| "the server is shutting down".to_string())?;
    tokio::task::spawn_blocking(move || hash(&password))
        .await
        .map_err(|e| format!("the hashing thread failed: {e}"))?
}

/// [`verify`] off the async threads, within `limit`. Without a stored hash, a dummy one
/// is checked so that an unknown login takes as long as a wrong password.
pub async fn verify_blocking(password: String, phc: Option<String>, limit: &Semaphore) -> bool {
    let Ok(_turn) = limit.acquire().await else {
        return false;
    };
    tokio::task::spawn_blocking(move || match phc {
        Some(phc) => verify(&password, &phc),
        None => {
            let _ = verify(&password, DUMMY);
            false
        }
    })
    .await
    .unwrap_or(false)
}

/// The hash of a random string nobody knows (for the timing of unknown logins).
const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2hvdWNlLWR1bW15LXNhbHQ$8h0wHn0fRlGyCBCXJYu8/lS8wt5XuA3hWzVQVTBL8nQ";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let h = hash("正确的密码 horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("正确的密码 horse", &h));
        assert!(!verify("wrong", &h));
        assert!(!verify("正确的密码 horse", "not a hash"));
        assert!(!verify("anything", DUMMY));
    }
}
