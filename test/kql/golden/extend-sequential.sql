SELECT ("c" - "a") AS "a", "b" AS "b", "c" AS "c" FROM (SELECT "a" AS "a", ("a" + CAST($1 AS BIGINT)) AS "b", (("a" + CAST($1 AS BIGINT)) * CAST($2 AS BIGINT)) AS "c" FROM (SELECT CAST($1 AS BIGINT) AS "a") AS t1) AS t0
-- params: [1,10]
