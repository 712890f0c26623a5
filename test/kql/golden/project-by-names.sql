SELECT "Country" AS "Country", "Name" AS "Name", "City" AS "City", "CityCode" AS "CityCode" FROM (SELECT CAST($1 AS VARCHAR) AS "Name", CAST($2 AS INTEGER) AS "Age", CAST($3 AS VARCHAR) AS "City", CAST($4 AS VARCHAR) AS "Country", CAST($5 AS VARCHAR) AS "CityCode") AS t0
-- params: ["Peter",39,"New York","USA","NYC"]
