SELECT CAST(count("x") AS BIGINT) AS "count_x", CAST(count(*) FILTER (WHERE ("x" > CAST($1 AS BIGINT))) AS BIGINT) AS "countif_", CAST(count(DISTINCT "x") AS BIGINT) AS "dcount_x", CAST(count(DISTINCT "x") FILTER (WHERE ("x" > CAST($1 AS BIGINT))) AS BIGINT) AS "dcountif_x" FROM (SELECT CAST(NULL AS BIGINT) AS "x" WHERE FALSE) AS t0
-- params: [0]
