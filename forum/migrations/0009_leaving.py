"""Leaving with one's data and password recovery (issue 13, items 4 and 5)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("forum", "0008_member_sessions")]

    operations = [
        migrations.CreateModel(
            name='RetiredUsername',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name_hash', models.CharField(editable=False, max_length=64, unique=True)),
                ('expires_at', models.DateTimeField(db_index=True)),
            ],
            options={
                'verbose_name': 'retired username',
                'verbose_name_plural': 'retired usernames',
            },
        ),
        migrations.AlterField(
            model_name='moderationevent',
            name='action',
            field=models.CharField(choices=[('approve', 'approved a post'), ('reject', 'rejected a post'), ('hide', 'hid a post'), ('unhide', 'unhid a post'), ('lock', 'locked a thread'), ('unlock', 'unlocked a thread'), ('pin', 'pinned a thread'), ('unpin', 'unpinned a thread'), ('move', 'moved a thread'), ('resolve', 'resolved a report'), ('dismiss', 'dismissed a report'), ('delete', 'deleted a message'), ('mute', 'muted a member'), ('unmute', 'unmuted a member'), ('ban', 'banned a member'), ('unban', 'unbanned a member'), ('slow_mode', 'changed slow mode'), ('read_only', 'changed read-only mode'), ('grant', 'granted a permission'), ('revoke', 'revoked a permission'), ('reset_by_email', 'reset a password by e-mail'), ('reset_link', 'made a password reset link'), ('reset_by_link', 'reset a password with a link')], max_length=16),
        ),
        migrations.AlterField(
            model_name='post',
            name='author',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='posts', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='postreport',
            name='reporter',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='thread',
            name='author',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='threads', to=settings.AUTH_USER_MODEL),
        ),
        migrations.CreateModel(
            name='PasswordResetLink',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('token_hash', models.CharField(editable=False, max_length=64, unique=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ('expires_at', models.DateTimeField()),
                ('used_at', models.DateTimeField(blank=True, null=True)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'password reset link',
                'verbose_name_plural': 'password reset links',
                'ordering': ['-created_at'],
            },
        ),
        migrations.CreateModel(
            name='PasswordResetRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('address_hash', models.CharField(editable=False, max_length=64)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
            ],
            options={
                'indexes': [models.Index(fields=['address_hash', 'created_at'], name='reset_request_address')],
            },
        ),
    ]
