SELECT CAST(NULL AS BIGINT) AS "x"
-- params: [1e+30]
