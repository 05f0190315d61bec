//! Web front end (grows in its own issue).
