-- Room on each page for a row's next version. An hourly load rewrites the few percent of rows
-- whose documents changed; with pages filled to 100% each new version lands on another page and
-- needs a new entry in every index of its table. With 10% of a page free, PostgreSQL keeps the
-- new version on the same page and, as long as no indexed column changed, writes no index entry
-- at all (a HOT update). Applies to pages written from now on; VACUUM FULL rewrites old ones.

ALTER TABLE customers SET (fillfactor = 90);
ALTER TABLE customers_tags SET (fillfactor = 90);
ALTER TABLE products SET (fillfactor = 90);
ALTER TABLE orders SET (fillfactor = 90);
ALTER TABLE orders_items SET (fillfactor = 90);
