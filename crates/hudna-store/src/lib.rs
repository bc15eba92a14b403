//! hudna-store
