"""The published results the model reproduces, one module per source.

Each module states its source, runs its cases on the scenarios of
``scenarios/validation/`` and declares its case groups (``GROUPS``), which
:mod:`sim.validation.registry` lists in the report's order.
"""
