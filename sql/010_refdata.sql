-- 010: reference data (schema ref), loaded by `pars refdata load` from the
-- files publishers issue (ODS, the TFC list, e-RS code systems, NHS Payment
-- Scheme prices) and from the hub's own documented CSV files (maps to TFC,
-- synonyms, local alternative services, shadow contracts, list sizes).
--
-- Every load is one transaction and one row of ref.loads; every reference
-- row names the load that last added or changed it.  A load upserts: rows
-- that are not in a newer file are kept (old referrals still need them).

CREATE TABLE ref.loads (
    id          bigserial PRIMARY KEY,
    kind        text NOT NULL,
    file_name   text NOT NULL,
    file_sha256 bytea NOT NULL CHECK (octet_length(file_sha256) = 32),
    options     text,
    who         text NOT NULL,
    loaded_at   timestamptz NOT NULL DEFAULT now(),
    rows_read   integer NOT NULL DEFAULT 0,
    added       integer NOT NULL DEFAULT 0,
    changed     integer NOT NULL DEFAULT 0,
    unchanged   integer NOT NULL DEFAULT 0,
    rejected    integer NOT NULL DEFAULT 0,
    closed      integer NOT NULL DEFAULT 0
);
CREATE INDEX loads_kind_idx ON ref.loads (kind, id);
COMMENT ON TABLE ref.loads IS 'One row per reference data load: what, from which file (SHA-256), by whom, when, and what it changed';
COMMENT ON COLUMN ref.loads.options IS 'Load options, e.g. year=2024/25 for prices';
COMMENT ON COLUMN ref.loads.closed IS 'Organisations the load closed (close date newly set)';

CREATE TABLE ref.load_rejects (
    load_id bigint NOT NULL REFERENCES ref.loads (id) ON DELETE CASCADE,
    row_no  integer NOT NULL,
    reason  text NOT NULL
);
CREATE INDEX load_rejects_load_idx ON ref.load_rejects (load_id);
COMMENT ON TABLE ref.load_rejects IS 'Rows of a loaded file that were rejected, with the reason; the other rows were loaded';

-- ODS: GP practices (epraccur).
CREATE TABLE ref.practices (
    code                text PRIMARY KEY,
    name                text NOT NULL,
    national_grouping   text,
    health_geography    text,
    postcode            text,
    open_date           date,
    close_date          date,
    status              text CHECK (status IN ('A', 'C', 'D', 'P')),
    commissioner        text,
    prescribing_setting text,
    load_id             bigint NOT NULL REFERENCES ref.loads (id)
);
COMMENT ON TABLE ref.practices IS 'Every GP practice in ODS epraccur (not just the hub''s members: see pars.practices)';
COMMENT ON COLUMN ref.practices.status IS 'A active, C closed, D dormant, P proposed';

-- ODS: GPs (egpcur, egpam): one row per G code and practice.
CREATE TABLE ref.gps (
    code          text NOT NULL,
    practice_code text NOT NULL,
    name          text NOT NULL,
    status        text,
    open_date     date,
    close_date    date,
    joined        date,
    left_date     date,
    load_id       bigint NOT NULL REFERENCES ref.loads (id),
    PRIMARY KEY (code, practice_code)
);
CREATE INDEX gps_practice_idx ON ref.gps (practice_code);
COMMENT ON TABLE ref.gps IS 'GP practitioners (ODS egpcur/egpam): G code, practice, name as SURNAME INITIALS';

-- ODS: consultants (econcur).
CREATE TABLE ref.consultants (
    code           text NOT NULL,
    trust          text NOT NULL,
    gmc            text,
    surname        text,
    initial        text,
    sex            text,
    main_specialty text,
    type           text,
    load_id        bigint NOT NULL REFERENCES ref.loads (id),
    PRIMARY KEY (code, trust)
);
COMMENT ON TABLE ref.consultants IS 'Consultants (ODS econcur): C code, GMC number, main specialty, employing trust; one row per code and trust';

-- ODS: NHS trusts (etr) and their sites (ets).
CREATE TABLE ref.trusts (
    code              text PRIMARY KEY,
    name              text NOT NULL,
    national_grouping text,
    health_geography  text,
    postcode          text,
    open_date         date,
    close_date        date,
    parent            text,
    load_id           bigint NOT NULL REFERENCES ref.loads (id)
);
COMMENT ON TABLE ref.trusts IS 'Providers: NHS trusts (ODS etr) and trust sites (ODS ets, parent = the trust)';

-- Treatment function codes and main specialty codes (NHS Data Dictionary).
CREATE TABLE ref.tfc (
    code    text PRIMARY KEY CHECK (code ~ '^[0-9]{3}$'),
    title   text NOT NULL,
    comment text,
    in_use  boolean NOT NULL,
    load_id bigint NOT NULL REFERENCES ref.loads (id)
);
COMMENT ON COLUMN ref.tfc.in_use IS 'false for codes listed as retired or "not a Treatment Function"';

CREATE TABLE ref.main_specialties (
    code    text PRIMARY KEY CHECK (code ~ '^[0-9]{3}$'),
    title   text NOT NULL,
    load_id bigint NOT NULL REFERENCES ref.loads (id)
);

-- e-Referral Service code systems and the hub's maps to TFC.
CREATE TABLE ref.ers_specialties (
    code         text PRIMARY KEY,
    display      text NOT NULL,
    effective_to date,
    load_id      bigint NOT NULL REFERENCES ref.loads (id)
);
CREATE TABLE ref.ers_clinic_types (
    code          text PRIMARY KEY,
    display       text NOT NULL,
    ers_specialty text,
    effective_to  date,
    load_id       bigint NOT NULL REFERENCES ref.loads (id)
);
COMMENT ON TABLE ref.ers_clinic_types IS 'e-RS clinic types, each with its parent e-RS specialty';

CREATE TABLE ref.ers_specialty_tfc (
    ers_specialty text PRIMARY KEY,
    tfc           text NOT NULL CHECK (tfc ~ '^[0-9]{3}$'),
    comment       text,
    load_id       bigint NOT NULL REFERENCES ref.loads (id)
);
CREATE TABLE ref.ers_clinic_type_tfc (
    clinic_type text PRIMARY KEY,
    tfc         text NOT NULL CHECK (tfc ~ '^[0-9]{3}$'),
    comment     text,
    load_id     bigint NOT NULL REFERENCES ref.loads (id)
);
COMMENT ON TABLE ref.ers_clinic_type_tfc IS 'Clinic types whose TFC is not their parent specialty''s (2WW clinics, children''s clinics)';
CREATE TABLE ref.main_specialty_tfc (
    main_specialty text PRIMARY KEY CHECK (main_specialty ~ '^[0-9]{3}$'),
    tfc            text NOT NULL CHECK (tfc ~ '^[0-9]{3}$'),
    comment        text,
    load_id        bigint NOT NULL REFERENCES ref.loads (id)
);
CREATE TABLE ref.specialty_synonyms (
    phrase  text PRIMARY KEY,
    tfc     text NOT NULL CHECK (tfc ~ '^[0-9]{3}$'),
    comment text,
    load_id bigint NOT NULL REFERENCES ref.loads (id)
);
COMMENT ON COLUMN ref.specialty_synonyms.phrase IS 'Normalised: lower case, & and + as "and", other punctuation as spaces';

-- NHS Payment Scheme prices, in pence, by tariff year ('2024/25').
CREATE TABLE ref.op_prices (
    tariff_year text NOT NULL CHECK (tariff_year ~ '^[0-9]{4}/[0-9]{2}$'),
    tfc         text NOT NULL CHECK (tfc ~ '^[0-9]{3}$'),
    wf01a       bigint,
    wf01b       bigint,
    wf02a       bigint,
    wf02b       bigint,
    load_id     bigint NOT NULL REFERENCES ref.loads (id),
    PRIMARY KEY (tariff_year, tfc)
);
COMMENT ON TABLE ref.op_prices IS 'Outpatient attendance prices (Annex A): WF01B first single-professional, WF02B first multi-professional, WF01A/WF02A follow-ups';

CREATE TABLE ref.procedure_hrg (
    opcs4       text PRIMARY KEY CHECK (opcs4 ~ '^[A-Z][0-9]{2}[0-9]?$'),
    hrg         text NOT NULL,
    description text,
    load_id     bigint NOT NULL REFERENCES ref.loads (id)
);
COMMENT ON COLUMN ref.procedure_hrg.opcs4 IS 'OPCS-4 code or category without the dot (W371, W37): the longest prefix of a requested procedure wins';

CREATE TABLE ref.hrg_prices (
    tariff_year text NOT NULL CHECK (tariff_year ~ '^[0-9]{4}/[0-9]{2}$'),
    hrg         text NOT NULL,
    name        text,
    price_pence bigint NOT NULL,
    load_id     bigint NOT NULL REFERENCES ref.loads (id),
    PRIMARY KEY (tariff_year, hrg)
);

-- Local data: services that can replace an outpatient referral, shadow
-- contracts with providers, and practice list sizes.
CREATE TABLE ref.alternative_services (
    id          bigserial PRIMARY KEY,
    code        text NOT NULL UNIQUE,
    name        text NOT NULL,
    tfc         text CHECK (tfc ~ '^[0-9]{3}$'),
    replaces    text NOT NULL,
    price_pence bigint NOT NULL,
    provider    text,
    comment     text,
    load_id     bigint NOT NULL REFERENCES ref.loads (id)
);
COMMENT ON COLUMN ref.alternative_services.tfc IS 'The specialty whose outpatient activity the service replaces (NULL: any)';
COMMENT ON COLUMN ref.alternative_services.replaces IS 'first_attendance, procedure or diagnostic: the activity it replaces';

CREATE TABLE ref.shadow_contracts (
    provider         text NOT NULL,
    tfc              text NOT NULL CHECK (tfc ~ '^[0-9]{3}$'),
    pod              text NOT NULL,
    year             text NOT NULL CHECK (year ~ '^[0-9]{4}/[0-9]{2}$'),
    planned_activity integer NOT NULL,
    price_pence      bigint NOT NULL,
    comment          text,
    load_id          bigint NOT NULL REFERENCES ref.loads (id),
    PRIMARY KEY (provider, tfc, pod, year)
);
COMMENT ON COLUMN ref.shadow_contracts.price_pence IS 'Price per unit of activity; planned value = planned_activity * price_pence';

CREATE TABLE ref.list_sizes (
    practice_code text NOT NULL,
    as_of         date NOT NULL,
    raw           integer NOT NULL,
    weighted      numeric(12, 2),
    load_id       bigint NOT NULL REFERENCES ref.loads (id),
    PRIMARY KEY (practice_code, as_of)
);

-- Upserts rows (a JSON array of objects, values as text) into a reference
-- table and counts what changed.  keys and cols name the key columns and
-- the other columns the file gives (fixed names from the loader's tables,
-- quoted with %I).  Rows that are the same are left alone, so a reload of
-- the same file changes nothing.
CREATE FUNCTION ref.merge(tbl regclass, keys text[], cols text[], rows jsonb,
    load bigint, OUT added integer, OUT changed integer,
    OUT unchanged integer, OUT closed integer)
LANGUAGE plpgsql AS $$
DECLARE
    on_keys  text;
    key_list text;
    all_list text;
    t_list   text;
    s_list   text;
    x_list   text;
    sets     text;
    closing  text := '0';
BEGIN
    SELECT pg_catalog.string_agg(pg_catalog.format('t.%1$I = s.%1$I', k), ' AND ' ORDER BY n),
           pg_catalog.string_agg(pg_catalog.format('%I', k), ', ' ORDER BY n)
      INTO on_keys, key_list
      FROM pg_catalog.unnest(keys) WITH ORDINALITY AS u(k, n);
    SELECT pg_catalog.string_agg(pg_catalog.format('t.%I', c), ', ' ORDER BY n),
           pg_catalog.string_agg(pg_catalog.format('s.%I', c), ', ' ORDER BY n),
           pg_catalog.string_agg(pg_catalog.format('EXCLUDED.%I', c), ', ' ORDER BY n),
           pg_catalog.string_agg(pg_catalog.format('%1$I = EXCLUDED.%1$I', c), ', ' ORDER BY n)
      INTO t_list, s_list, x_list, sets
      FROM pg_catalog.unnest(cols) WITH ORDINALITY AS u(c, n);
    SELECT pg_catalog.string_agg(pg_catalog.format('%I', c), ', ' ORDER BY n)
      INTO all_list
      FROM pg_catalog.unnest(keys || cols) WITH ORDINALITY AS u(c, n);
    IF 'close_date' = ANY (cols) THEN
        closing := pg_catalog.format('count(*) FILTER (WHERE t.%I IS NOT NULL'
            ' AND t.close_date IS NULL AND s.close_date IS NOT NULL)', keys[1]);
    END IF;

    DROP TABLE IF EXISTS pg_temp.ref_merge_src;
    EXECUTE pg_catalog.format('CREATE TEMP TABLE ref_merge_src ON COMMIT DROP AS'
        ' SELECT %s FROM pg_catalog.jsonb_populate_recordset(NULL::%s, $1)',
        all_list, tbl) USING rows;
    EXECUTE pg_catalog.format('SELECT count(*) FILTER (WHERE t.%1$I IS NULL)::int,'
        ' count(*) FILTER (WHERE t.%1$I IS NOT NULL'
        '  AND ROW(%2$s) IS DISTINCT FROM ROW(%3$s))::int,'
        ' count(*) FILTER (WHERE t.%1$I IS NOT NULL'
        '  AND ROW(%2$s) IS NOT DISTINCT FROM ROW(%3$s))::int,'
        ' (%4$s)::int'
        ' FROM pg_temp.ref_merge_src s LEFT JOIN %5$s t ON %6$s',
        keys[1], t_list, s_list, closing, tbl, on_keys)
      INTO added, changed, unchanged, closed;
    EXECUTE pg_catalog.format('INSERT INTO %1$s AS t (%2$s, load_id)'
        ' SELECT %2$s, $1 FROM pg_temp.ref_merge_src'
        ' ON CONFLICT (%3$s) DO UPDATE SET %4$s, load_id = EXCLUDED.load_id'
        ' WHERE ROW(%5$s) IS DISTINCT FROM ROW(%6$s)',
        tbl, all_list, key_list, sets, t_list, x_list) USING load;
    DROP TABLE pg_temp.ref_merge_src;
END;
$$;
REVOKE ALL ON FUNCTION ref.merge(regclass, text[], text[], jsonb, bigint)
    FROM PUBLIC;
