"""Pure extractors: a caller's utterance (typed, or speech-to-text) in, a typed value or None out.

No I/O, no database, no clock: everything time-dependent takes `now_local` from the caller.
"""
