{#- One line saying what a ranking event is (mart_ranking_events), from its columns: the text
    alerts post and the report shows. Its literals hold no apostrophe: Spark and DuckDB escape
    one differently. -#}
{% macro event_headline() -%}
    {%- set period = "case when grain = 'week' then ' in the week of ' else ' on ' end" -%}
    {%- set date_text = "cast(event_date as " ~ dbt.type_string() ~ ")" -%}
    {%- set rank_text = "cast(cast(measured_value as integer) as " ~ dbt.type_string() ~ ")" -%}
    {%- set trillions = "cast(round(measured_value / 1e12, 2) as " ~ dbt.type_string() ~ ")" -%}
    {%- set threshold_trillions =
        "cast(cast(threshold / 1e12 as bigint) as " ~ dbt.type_string() ~ ")" -%}
    {%- set percent = "cast(round(measured_value, 1) as " ~ dbt.type_string() ~ ")" -%}
    {%- set threshold_percent = "cast(round(threshold, 1) as " ~ dbt.type_string() ~ ")" -%}
    {%- set share = "cast(round(measured_value * 100, 1) as " ~ dbt.type_string() ~ ")" -%}
    {%- set top_n = "cast(cast(threshold as integer) as " ~ dbt.type_string() ~ ")" -%}
    case
        when event_kind in ('entered_daily_top_n', 'entered_weekly_top_n')
            then {{ dbt.concat(["subject_name", "' entered the '",
                "case when grain = 'week' then 'weekly' else 'daily' end", "' top '", top_n,
                "' at #'", rank_text, period, date_text]) }}
        when event_kind like '%_overtook'
            then {{ dbt.concat(["subject_name", "' overtook '", "other_subject_name",
                "' in the week of '", date_text, "' (now #'", rank_text, "')'"]) }}
        when event_kind = 'weekly_surge'
            then {{ dbt.concat(["subject_name", "' surged '", percent,
                "'% week on week in the week of '", date_text, "' (threshold +'",
                threshold_percent, "'%)'"]) }}
        when event_kind = 'weekly_drop'
            then {{ dbt.concat(["subject_name", "' dropped '", percent,
                "'% week on week in the week of '", date_text, "' (threshold '",
                threshold_percent, "'%)'"]) }}
        when event_kind = 'undisclosed_share'
            then {{ dbt.concat(["'Undisclosed model '", "subject_name", "' took '", share,
                "'% of the tokens on '", date_text]) }}
        when event_kind like '%_milestone'
            then {{ dbt.concat(["subject_name", "' passed '", threshold_trillions,
                "'T cumulative tokens on '", date_text, "' ('", trillions, "'T)'"]) }}
    end
{%- endmacro %}
