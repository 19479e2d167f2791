//! Operating the bot: checking the corpus before it is served (`qmbot check`).

pub mod check;
