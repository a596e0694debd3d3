-- Weekly tokens of the $top_vendors vendors with the most tokens over the charted weeks; NULL
-- (a gap, not zero) in a week a vendor had no ranked tokens.
-- $charted_days: how far back from the newest week the chart starts.
with charted_weeks as (

    select *
    from marts.mart_vendor_weekly
    where
        week_start
        >= (select max(newest.week_start) from marts.mart_region_weekly as newest)
        - getvariable('charted_days')

),

top_vendors as (

    select
        vendor_slug,
        any_value(vendor_name) as vendor_name
    from charted_weeks
    where vendor_slug <> 'other'
    group by vendor_slug
    order by sum(total_tokens) desc, vendor_slug
    limit getvariable('top_vendors')

),

vendor_weeks as (

    select
        weeks.week_start,
        top_vendors.vendor_slug,
        top_vendors.vendor_name
    from (select distinct week_start from charted_weeks) as weeks
    cross join top_vendors

)

select
    vendor_weeks.week_start,
    vendor_weeks.vendor_name,
    charted_weeks.total_tokens
from vendor_weeks
left join charted_weeks
    on
        vendor_weeks.week_start = charted_weeks.week_start
        and vendor_weeks.vendor_slug = charted_weeks.vendor_slug
order by vendor_weeks.vendor_name, vendor_weeks.week_start
