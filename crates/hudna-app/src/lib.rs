//! hudna-app
