-- A project file as the v0 prototype wrote it (schema version 0): no ratings, no codebook links,
-- no foreign keys, no full-text index. PRAGMAs are set by the test that builds the file.
CREATE TABLE sources (id TEXT PRIMARY KEY, title TEXT, text TEXT, url TEXT);
CREATE TABLE annotations (id TEXT PRIMARY KEY, source_id TEXT, start_offset INTEGER, end_offset INTEGER,
                          quote TEXT, note TEXT);
CREATE TABLE actors (id TEXT PRIMARY KEY, name TEXT);
CREATE TABLE theories (id TEXT PRIMARY KEY, name TEXT);

INSERT INTO sources VALUES
  ('src-1', 'Unrest in Almaty', 'Protests began in Zhanaozen. Tokayev called in the CSTO.', 'https://example.org/a'),
  ('src-2', NULL, 'Токаев обратился к ОДКБ.
Второй абзац.', NULL),
  ('src-3', 'Same text again', 'Protests began in Zhanaozen. Tokayev called in the CSTO.', NULL);

INSERT INTO annotations VALUES
  ('ann-1', 'src-1', 0, 8, 'Protests', 'where it started'),
  ('ann-2', 'src-1', 29, 36, 'Tokayev', NULL),
  ('ann-3', 'src-2', 0, 6, 'Токаев', NULL),
  ('ann-4', 'src-1', 2, 10, 'Zhanaozen', 'offsets drifted in the prototype'),
  ('ann-5', 'src-3', 51, 55, 'CSTO', 'on the duplicate source');

INSERT INTO actors VALUES ('act-1', 'Kassym-Jomart Tokayev'), ('act-2', 'CSTO'), ('act-3', 'csto');
INSERT INTO theories VALUES ('th-1', 'Palace coup'), ('th-2', 'Socio-economic protest');
