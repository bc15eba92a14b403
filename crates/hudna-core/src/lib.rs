//! hudna-core
