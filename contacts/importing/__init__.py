"""Importing contacts from CSV and Excel files: reading (readers), matching columns to our
fields (mapping), checking each row (validation), finding the contacts a row duplicates
(the duplicate engine's `contacts.duplicates.match_rows`), and applying the chosen duplicate
rule in atomic chunks (service)."""
