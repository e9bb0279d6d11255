"""Seed the pledge framework: its 7 principles and 27 actions."""

from django.db import migrations

PRINCIPLES = [
    (1, 'accountability', 'Ensure Police Are Accountable to the Community', 'Police departments are funded by the public and should be accountable to the public. Therefore, our police department will not investigate itself, but will instead establish enforceable, impartial accountability measures in instances where police brutality, racial profiling, and/or improper use of force are in question. This includes establishing effective and independent review boards broadly representative of the community, not just police interests. The actions, investigations, and publication of all relevant information, evidence, and policy recommendations of the review boards will be transparent and publicly accessible. Our police department will also ensure that data and summary information relating to suspected police brutality and racial profiling are properly collected and made publicly available.'),
    (2, 'training', 'Invest in Rigorous and Sustained Training', 'Documented studies demonstrate that implicit racial biases influence how officers interact with community members and suspects, and that these perceptions and behaviors can be deadly. Law enforcement personnel will be required to undergo racial bias training in addition to building skills that exemplify problem-solving strategies, conflict mediation techniques, de-escalation tactics, and understanding mental health considerations. Training programs offered by community-based organizations will be prioritized. Officers will become adept at being responsive to community needs and voices, and achieving consistency and continuity in engaging community while enforcing the law.'),
    (3, 'diversity', 'Ensure Police Reflect and Respect the Community', 'Police department personnel should be representative of the communities they protect and serve. Therefore, our police department will adopt personnel practices that result in the hiring and retention of diverse law enforcement professionals who are culturally sensitive, speak the communities’ languages, and are residents of their patrolled communities. The police department will implement and monitor diversity hiring and retention guidelines to further community trust and partnerships.'),
    (4, 'preserve-life', 'Preserve Life and Avoid Excessive Force', 'Police will only use force in a manner that preserves the lives and safety of all residents of our community. Police department personnel will do everything in their power to de-escalate situations and use alternatives to deadly force. The police department will not rely on military equipment and tactics—including the use of SWAT teams—to police everyday problems or peaceful protests. We will reject the transfer of military equipment into our police departments and seek to return or otherwise eliminate existing military weaponry in our inventory.'),
    (5, 'technology', 'Use Technology for Oversight While Protecting Privacy', 'Pending community approval through a democratic process, our police department will implement body cameras and/or other technology that helps to investigate and hold officers accountable for misconduct, such as profiling due to a person’s race, class, religion, gender, housing status, physical or mental ability, or sexual orientation. The technology will only be used when legitimately apprehending suspects with probable cause, and information gathered by the use of technology related to police violence will be made publicly accessible immediately.'),
    (6, 'decriminalization', 'End the Criminalization of Communities of Color', 'We will de-prioritize and, where possible, decriminalize the enforcement of non-violent ‘quality of life’ or ‘broken-windows’ offenses that frequently consume too many resources and end up criminalizing too many young people. We will eliminate police department quotas and reduce municipal fines and fees to remove financial incentives for police officers to focus on minor offenses.'),
    (7, 'investment', 'Shift Public Investment to Communities', 'Our city’s over-policed communities are the same neighborhoods most in need of infrastructure improvements, access to healthy food, affordable housing and transportation choices, good jobs, and important city amenities. The city budget will reflect a shift toward providing essential services to these communities. Further, each and every city department, such as Housing, Community Development, Transportation, Planning, Parks and Recreation, and Public Works, will take responsibility for—and work together to improve—public safety.'),
]

ACTIONS = [
    ('1.1', 'Police do not investigate themselves', 'Deaths and serious uses of force are investigated by an agency independent of the department.'),
    ('1.2', 'Independent civilian review board', 'A board exists that is independent of the department and broadly representative of the community.'),
    ('1.3', 'Enforceable oversight', 'The board can compel evidence and its findings lead to binding or enforceable outcomes.'),
    ('1.4', 'Review findings are public', 'Investigations, evidence, findings and policy recommendations are published.'),
    ('1.5', 'Brutality and profiling data are public', 'Use of force, complaints and stops are collected and published, broken down by race.'),
    ('2.1', 'Racial bias training', 'Every officer is required to complete implicit and explicit racial bias training.'),
    ('2.2', 'De-escalation and mediation training', 'De-escalation, conflict mediation and problem-solving training is required.'),
    ('2.3', 'Mental health training', 'Officers are trained to recognise and respond to mental health crises.'),
    ('2.4', 'Community-based trainers', 'Training offered by community-based organizations is prioritized and used.'),
    ('3.1', 'Diverse hiring and retention', 'Hiring and retention guidelines for a force that reflects the community are adopted.'),
    ('3.2', 'Workforce diversity is monitored', "The department's demographics are tracked against the community's and published."),
    ('3.3', 'Officers live where they serve', 'Residency requirements or incentives for officers are in place.'),
    ('3.4', "Officers speak the community's languages", 'Language skills of the community are recruited for and rewarded.'),
    ('4.1', 'Preservation-of-life force policy', 'Policy requires de-escalation and alternatives before deadly force.'),
    ('4.2', 'No SWAT for everyday problems or protests', 'Tactical teams are restricted by policy from everyday policing and peaceful protests.'),
    ('4.3', 'No new military equipment', 'The city rejects transfers of military equipment to its police.'),
    ('4.4', 'Existing military weaponry removed', 'Military weaponry already in inventory is returned or eliminated.'),
    ('5.1', 'Community approval of police technology', 'New oversight or surveillance technology requires approval through a democratic process.'),
    ('5.2', 'Body cameras for accountability', 'Body cameras or similar technology are deployed under a public policy.'),
    ('5.3', 'Technology limited to legitimate use', 'Policy limits use to legitimately apprehending suspects with probable cause.'),
    ('5.4', 'Footage of police violence is public', 'Information on police violence gathered by technology is released promptly.'),
    ('6.1', 'Broken-windows offenses deprioritized', 'Enforcement of non-violent quality-of-life offenses is deprioritized or decriminalized.'),
    ('6.2', 'No quotas', 'Arrest, ticket and stop quotas are eliminated.'),
    ('6.3', 'Fewer fines and fees', 'Municipal fines and fees are reduced to remove financial incentives for minor offenses.'),
    ('7.1', 'Budget shifts toward communities', 'The city budget moves resources to essential services in over-policed neighborhoods.'),
    ('7.2', 'Investment in over-policed neighborhoods', 'Infrastructure, healthy food, affordable housing, transportation and jobs are funded there.'),
    ('7.3', 'Every department owns public safety', 'City departments share responsibility for public safety through a joint plan.'),
]


def seed_framework(apps, schema_editor):
    Principle = apps.get_model("commitments", "Principle")
    Action = apps.get_model("commitments", "Action")
    principles = {}
    for number, slug, title, text in PRINCIPLES:
        principles[number], _ = Principle.objects.update_or_create(
            number=number, defaults={"slug": slug, "title": title, "pledge_text": text}
        )
    for code, title, achieved_when in ACTIONS:
        number, position = (int(part) for part in code.split("."))
        Action.objects.update_or_create(
            code=code,
            defaults={
                "principle": principles[number],
                "position": position,
                "title": title,
                "achieved_when": achieved_when,
            },
        )


def remove_framework(apps, schema_editor):
    """Unseed a framework nothing was rated on yet; a rated one stays until 0001's reverse drops
    its tables (and seeding again updates it in place)."""
    if apps.get_model("commitments", "ProgressUpdate").objects.exists():
        return
    apps.get_model("commitments", "Action").objects.all().delete()
    apps.get_model("commitments", "Principle").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("commitments", "0001_initial")]

    operations = [migrations.RunPython(seed_framework, remove_framework)]
