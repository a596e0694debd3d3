{#- Data tests on an incremental model check the rows this run rebuilt: the run's dates in a model
    keyed by `date`, the weeks from the first rebuilt one in a model keyed by `week_start`. Older
    rows passed the same tests when they were built; testing them again would make every daily
    run cost as much as the whole history. Without date vars (a full build) every row is tested.
    A test's own `where` config still applies. Overrides dbt's macro of the same name. -#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- do conditions.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {#- graph holds no nodes while dbt parses, only when it runs. -#}
    {%- set tested_models = graph.get('nodes', {}).values()
        | selectattr('resource_type', 'equalto', 'model')
        | selectattr('schema', 'equalto', relation.schema)
        | selectattr('alias', 'equalto', relation.identifier)
        | list -%}
    {%- if tested_models and tested_models[0].config.materialized == 'incremental' -%}
        {%- set unique_key = tested_models[0].config.unique_key -%}
        {%- if unique_key == 'date' -%}
            {%- do conditions.append(in_date_window('date')) -%}
        {%- elif unique_key == 'week_start' -%}
            {%- do conditions.append('week_start >= ' ~ first_rebuilt_week()) -%}
        {%- endif -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ') ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
