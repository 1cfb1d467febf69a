"""One repository per aggregate: the only code, beside `data/keys.py`, that knows how items are keyed. Each module's
functions are named for the access patterns they serve and set the index keys of what they write."""
