SELECT "__mv0" AS "a" FROM (SELECT unnest(COALESCE(TRY_CAST("a" AS JSON[]), CASE json_type("a") WHEN 'OBJECT' THEN list_transform(json_keys("a"), k -> json_object(k, json_extract("a", '$."' || replace(k, '"', '\"') || '"'))) WHEN 'NULL' THEN [] ELSE CASE WHEN "a" IS NULL THEN [] ELSE ["a"] END END)) AS "__mv0" FROM (SELECT CAST($1 AS JSON) AS "a") AS t0) AS __mv
-- params: ["[1,2,3]"]
