"""The duplicate engine: a Fellegi–Sunter record-linkage model learned from the firm's contacts.

Read it one part at a time, in this order:
- `profiles`: what is compared of a contact, normalized once (names, nicknames, dates, places);
- `comparisons`: the levels of each comparison of two profiles, and the household signs;
- `blocking`: which pairs are compared at all (a union of rules, each within a budget);
- `model`: m and u per level, the prior, term frequencies, expectation-maximisation;
- `training`: estimating the model from the contacts, with no labels;
- `scoring`: from a comparison vector to a probability, a score 0-100 and the evidence;
- `engine`: the full scan, one contact against the table, the import's fuzzy look-up, the
  stored model;
- `clustering`: the queue's pairs grouped into people;
- `labels`: staff decisions (merges, "Not a duplicate") measuring the model.

`contacts.duplicates` is the app's entry point to it.
"""
