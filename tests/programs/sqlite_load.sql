-- sqlite_load.sql: an allocation-heavy sqlite3 session for alignbench fidelity (docs/fidelity.md):
-- 200 000 rows with text keys, an index on them, a scan and a sort.
CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, c REAL);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 200000)
INSERT INTO t SELECT i, printf('row-%d-%s', i, hex(randomblob(8))), i * 0.5 FROM n;
CREATE INDEX tb ON t(b);
SELECT count(*), sum(length(b)) FROM t WHERE b LIKE 'row-1%';
SELECT group_concat(b, ',') IS NOT NULL FROM (SELECT b FROM t ORDER BY c DESC LIMIT 50000);
