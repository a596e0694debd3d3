{#- One line saying what a ranking event is (mart_ranking_events), from its columns: the text
    alerts post and the report shows. Its literals hold no apostrophe: Spark and DuckDB escape
    one differently. -#}
{% macro event_headline() -%}
    {%- set period = "case when grain = 'week' then ' in the week of ' else ' on ' end" -%}
    {%- set date_text = "cast(event_date as " ~ dbt.type_string() ~ ")" -%}
    {%- set rank_text = "cast(cast(measured_value as integer) as " ~ dbt.type_string() ~ ")" -%}
    {%- set trillions = rounded_text("measured_value / 1e12", 2) -%}
    {%- set threshold_trillions =
        "cast(cast(threshold / 1e12 as bigint) as " ~ dbt.type_string() ~ ")" -%}
    {%- set percent = rounded_text("measured_value", 1) -%}
    {%- set threshold_percent = rounded_text("threshold", 1) -%}
    {%- set share = rounded_text("measured_value * 100", 1) -%}
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


{#- `expression` rounded half up to `decimals` places, as text. Not round(): DuckDB rounds the
    binary double (2.085 -> 2.08), Spark the decimal it prints (2.085 -> 2.09); floor of the
    scaled value is the same on both. -#}
{% macro rounded_text(expression, decimals) -%}
    {%- set scale = 10 ** decimals -%}
    cast(floor(({{ expression }}) * {{ scale }} + 0.5) / {{ scale }} as {{ dbt.type_string() }})
{%- endmacro %}
