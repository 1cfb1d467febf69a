"""Each telephony vendor's own format and signature, turned into the domain's CallEvent at the edge."""
