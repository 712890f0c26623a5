SELECT make_timestamp(epoch_us(CAST($1 AS TIMESTAMP)) + CAST(i * CAST($3 AS BIGINT) // 10 AS BIGINT)) AS "d" FROM generate_series(0, CAST(floor((epoch_us(CAST($2 AS TIMESTAMP)) - epoch_us(CAST($1 AS TIMESTAMP))) * 10 / CAST($3 AS BIGINT)) AS BIGINT)) AS _range(i)
-- params: ["2024-01-01T00:00:00.0000000Z","2024-01-03T00:00:00.0000000Z",864000000000]
