SELECT json_array(to_json("a"), to_json("b"), "c") AS "p", json_array(to_json("b"), to_json("a"), to_json("b"), "c") AS "q" FROM (SELECT * FROM (VALUES (CAST($1 AS BIGINT), CAST($2 AS VARCHAR), CAST($3 AS JSON)), (CAST($4 AS BIGINT), CAST($5 AS VARCHAR), CAST(NULL AS JSON))) AS t1("a", "b", "c")) AS t0
-- params: [1,"x","[1,2]",2,"y"]
