{#- The run's date window, decided in orchestration/lib/run_window.py: its first_date, last_date,
    first_week and last_week, and the lake folders it reads (rankings_lake_partitions). Dagster
    passes them in the environment variable DBT_RUN_WINDOW, a JSON object; without it the vars of
    those names hold (--vars, else the defaults in dbt_project.yml: every date, so a plain
    `dbt build` rebuilds and tests everything). -#}

{#- A window value by name. It is read only when dbt executes: a value dbt reads while parsing,
    as it reads --vars, makes dbt parse the whole project again each time it changes (some 4
    CPU-s, every daily run). -#}
{% macro run_window_value(name) -%}
    {%- set run_window = fromjson(env_var('DBT_RUN_WINDOW', '{}')) if execute else {} -%}
    {{ return(run_window.get(name, var(name, none))) }}
{%- endmacro %}

{#- `predicate` with each `$first_date`, `$last_date`, `$first_week` and `$last_week` replaced
    by that window value as a date. The same predicate, run by DuckDB with those names as
    parameters, is what publishing replaces. -#}
{% macro run_window_sql(predicate) -%}
    {{ predicate
        | replace('$first_date', window_var_sql('first_date'))
        | replace('$last_date', window_var_sql('last_date'))
        | replace('$first_week', window_var_sql('first_week'))
        | replace('$last_week', window_var_sql('last_week')) }}
{%- endmacro %}

{% macro window_var_sql(name) -%}
    cast('{{ run_window_value(name) }}' as date)
{%- endmacro %}

{#- The rows of `node` (default: the model being built) that a run rebuilds: its
    `meta.rebuilt_rows`, a predicate over the window. Incremental models state it in their config;
    it scopes their data tests (get_where_subquery.sql) and what publishing replaces. -#}
{% macro rebuilt_rows(node=none) -%}
    {%- set node = node or model -%}
    {%- set predicate = node.config.meta.get('rebuilt_rows') -%}
    {%- if not predicate -%}
        {{ exceptions.raise_compiler_error(
            node.name ~ " has no meta.rebuilt_rows: say which of its rows a run over some dates"
            ~ " rebuilds (see macros/run_window.sql)"
        ) }}
    {%- endif -%}
    {{ run_window_sql(predicate) }}
{%- endmacro %}

{#- The first ISO week a run rebuilds: weekly marts and milestones are rebuilt from it to the
    newest week, since a changed week moves the next week's growth and every later cumulative
    figure. -#}
{% macro first_rebuilt_week() -%}
    {{ run_window_sql('$first_week') }}
{%- endmacro %}

{#- The week before the first rebuilt week: read, not rebuilt, for week-over-week figures. -#}
{% macro week_before_first_rebuilt_week() -%}
    cast({{ dbt.dateadd('day', -7, first_rebuilt_week()) }} as date)
{%- endmacro %}

{#- The pre-hook of every incremental model: delete the rows the run rebuilds, then the model
    appends them again. Unlike delete+insert by key, this also removes a date or week that has
    no rows left (its only snapshot retracted), so the model holds exactly what the lake says. -#}
{% macro delete_rebuilt_rows() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ rebuilt_rows() }}
    {%- endif -%}
{%- endmacro %}
