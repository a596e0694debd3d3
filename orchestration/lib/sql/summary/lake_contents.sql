-- What the lake holds: ranking rows, dates, snapshots and tokens, the dates' range, and the
-- models of the catalogue snapshots.
-- $rankings_files and $catalog_files: globs of the lake's Parquet files.
with rankings as (

    select
        count(*) as row_count,
        count(distinct date) as date_count,
        count(distinct response_sha256) as snapshot_count,
        sum(total_tokens) as total_tokens,
        min(date) as first_date,
        max(date) as last_date
    from read_parquet(getvariable('rankings_files'), hive_partitioning = true)

),

catalog as (

    select count(*) as model_count
    from read_parquet(getvariable('catalog_files'))

)

select
    rankings.row_count,
    rankings.date_count,
    rankings.snapshot_count,
    rankings.total_tokens,
    rankings.first_date,
    rankings.last_date,
    catalog.model_count
from rankings
cross join catalog
