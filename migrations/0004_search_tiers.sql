-- 0004: an FTS5 table of its own for each early search tier.
-- Why: in the one index of 0002, a name-prefix query ("x", "zh") walks the prefix's whole doclist,
-- which is mostly pinyin tokens of other columns, to find the few names; and a pinyin prefix
-- longer than the indexed prefixes ("zhan", "zhang") merges the doclists of thousands of terms.
-- Both cost 15-35 ms per keystroke on a million customers (`cargo xtask bench search`). Here the
-- name tier reads only name tokens and the pinyin tier a table with prefixes up to 5 letters
-- ("zhang"), so each reads one short doclist from its newest end. customer_fts stays as it is
-- for matches anywhere. Derived data like the rest of the index: rebuilt, never in the log.

CREATE VIRTUAL TABLE name_fts USING fts5 (
    name,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0',
    prefix = '1 2 3'
);

CREATE VIRTUAL TABLE pinyin_fts USING fts5 (
    pinyin,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0',
    prefix = '1 2 3 4 5'
);
