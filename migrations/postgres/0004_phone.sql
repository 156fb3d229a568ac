-- A guest's phone number (E.164), when a CSV import gave one.
ALTER TABLE requests ADD COLUMN phone TEXT;
