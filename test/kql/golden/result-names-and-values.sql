SELECT CAST($1 AS BIGINT) AS "a", CAST($2 AS VARCHAR) AS "A", CAST($3 AS DOUBLE) AS "$table", CAST($4 AS VARCHAR) AS "q", CAST(NULL AS BIGINT) AS "n", CAST($5 AS JSON) AS "d"
-- params: [1,"x",2.5,"it's \"quoted\"","{\"k\":[1,null]}"]
