{#- Data tests on a model that states `meta.rebuilt_rows` (the incremental models) check only the
    rows the run rebuilt: older rows passed the same tests when they were built, and testing them
    again would make every daily run cost as much as the whole history. In a full build (default
    vars) the predicate holds for every row. Models without the key are tested in full. A test's
    own `where` config still applies. Overrides dbt's macro of the same name, which applies only
    `where`. -#}
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
    {%- if tested_models and tested_models[0].config.meta.get('rebuilt_rows') -%}
        {%- do conditions.append('(' ~ rebuilt_rows(tested_models[0]) ~ ')') -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ') ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
