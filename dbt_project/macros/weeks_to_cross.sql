{#- Weeks until weekly tokens growing by factor e^slope a week, starting from the fitted current
    week's, add up to `weeks_missing` current weeks' worth: n = ln(1 + m (e^b - 1) / e^b) / b,
    or m for a flat trend; NULL when a declining trend never gets there
    (mart_milestone_forecasts). -#}
{% macro weeks_to_cross(slope, weeks_missing) -%}
    case
        when abs({{ slope }}) < 1e-9 then {{ weeks_missing }}
        when 1 + {{ weeks_missing }} * (exp({{ slope }}) - 1) / exp({{ slope }}) > 0
            then ln(1 + {{ weeks_missing }} * (exp({{ slope }}) - 1) / exp({{ slope }})) / {{ slope }}
    end
{%- endmacro %}
