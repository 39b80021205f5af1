from django.contrib import admin

from oncall.models import EscalationLevel, EscalationPolicy, Override, Participant, Rotation, Schedule, Team


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "directory_group"]
    filter_horizontal = ["members", "tags"]
    search_fields = ["name"]


class RotationInline(admin.StackedInline):
    model = Rotation
    extra = 0


class OverrideInline(admin.TabularInline):
    model = Override
    extra = 0


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "time_zone"]
    list_filter = ["team"]
    inlines = [RotationInline, OverrideInline]


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 1


@admin.register(Rotation)
class RotationAdmin(admin.ModelAdmin):
    list_display = ["name", "schedule", "layer", "first_day", "handoff", "length_days"]
    inlines = [ParticipantInline]


class LevelInline(admin.TabularInline):
    model = EscalationLevel
    extra = 1


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "repeats"]
    inlines = [LevelInline]
