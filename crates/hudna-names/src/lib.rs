//! hudna-names
