-- The shop's warehouse tables, filled by the mongo_to_warehouse DAG.
--
-- Every parent table has: a numeric identity key `id` (fast joins), the source document's
-- `_id` as the unique `source_id`, the flattened fields (`address.city` -> `address_city`,
-- camelCase -> snake_case) and two columns the ETL keeps: which run wrote the row and when.
-- Every array becomes a child table `<table>_<field>` with `parent_id` (the parent's id),
-- `idx` (the position in the array) and the element's fields (or `value` for scalars).

CREATE TABLE customers (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source_id text NOT NULL UNIQUE,
  name varchar(200),
  email varchar(320),
  phone varchar(40),
  address_street varchar(200),
  address_city varchar(100),
  -- A number in some documents, a string ('02134', 'SW1A 1AA') in others: text keeps both.
  address_zipcode varchar(20),
  address_country varchar(2),
  loyalty_tier varchar(20),
  loyalty_points integer,
  created_at timestamptz,
  updated_at timestamptz,
  etl_run_id text NOT NULL,
  etl_loaded_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE customers_tags (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  parent_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  idx integer NOT NULL,
  value varchar(50),
  UNIQUE (parent_id, idx)
);

CREATE TABLE products (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source_id text NOT NULL UNIQUE,
  sku varchar(32),
  name varchar(200),
  category varchar(100),
  price numeric(12, 2),
  stock integer,
  dimensions_weight_kg double precision,
  dimensions_width_cm integer,
  dimensions_height_cm integer,
  active boolean,
  created_at timestamptz,
  updated_at timestamptz,
  etl_run_id text NOT NULL,
  etl_loaded_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE orders (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source_id text NOT NULL UNIQUE,
  customer_id varchar(24),
  status varchar(20),
  placed_at timestamptz,
  currency varchar(3),
  total numeric(12, 2),
  shipping_method varchar(20),
  shipping_address_city varchar(100),
  shipping_address_zipcode varchar(20),
  notes varchar(500),
  created_at timestamptz,
  updated_at timestamptz,
  etl_run_id text NOT NULL,
  etl_loaded_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE orders_items (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  parent_id bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  idx integer NOT NULL,
  sku varchar(32),
  name varchar(200),
  quantity integer,
  unit_price numeric(12, 2),
  UNIQUE (parent_id, idx)
);

CREATE INDEX orders_customer_id ON orders (customer_id);
CREATE INDEX orders_items_sku ON orders_items (sku);
