"""MongoDB access, one small module per collection group, all within the portable subset of
``reference/mongo-standin.md`` (string ids, one document per item, sparse unique indexes,
single-document atomic updates with preconditions)."""
